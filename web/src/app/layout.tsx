import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { RouteFocus } from "@/components/route-focus";
import "./globals.css";

export const metadata: Metadata = {
  title: "Todo",
  description: "Your tasks, in one list.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, never at build time: each response's
  // scripts must carry that response's CSP nonce (src/proxy.ts).
  await connection();
  return (
    <html lang="en" className="h-full antialiased">
      <body className="flex min-h-full flex-col">
        <Providers>
          <RouteFocus />
          {children}
        </Providers>
      </body>
    </html>
  );
}
