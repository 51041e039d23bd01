import { SignOutButton } from "@/components/sign-out-button";

const links = [
  { href: "/tasks", label: "Tasks" },
  { href: "/sessions", label: "Sessions" },
  { href: "/account", label: "Account" },
] as const;

/** The header of the Sessions and Account pages: where you are, the way back, and Sign out. */
export function AccountHeader({ title, who }: { title: "Sessions" | "Account"; who: string }) {
  return (
    <header className="mb-6 flex flex-wrap items-center justify-between gap-3">
      <div>
        <h1 className="text-2xl font-semibold">{title}</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Signed in as {who}</p>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <nav aria-label="Account">
          <ul className="flex gap-3 text-sm">
            {links.map((link) => (
              <li key={link.href}>
                <a href={link.href} aria-current={link.label === title ? "page" : undefined}
                  className="font-medium text-blue-700 underline aria-[current=page]:text-zinc-900 aria-[current=page]:no-underline dark:text-blue-400 dark:aria-[current=page]:text-zinc-100">
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SignOutButton />
      </div>
    </header>
  );
}
