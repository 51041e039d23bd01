// @vitest-environment node
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { PEER_ADDRESS_HEADER, installPeerAddressStamp, peerAddressOf, peerStampToken } from "./peer-address";

/** A real HTTP server, as Next.js runs one: what does its request listener see? */
async function seenByServer(localAddress: string, sentHeaders: Record<string, string>) {
  installPeerAddressStamp();
  const server = http.createServer((request, response) => {
    response.end(JSON.stringify({ peer: peerAddressOf(new Headers(request.headers as Record<string, string>)) ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<{ peer: string | null }>((resolve, reject) => {
      const request = http.get({ host: "127.0.0.1", port, localAddress, headers: sentHeaders }, (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve(JSON.parse(body)));
      });
      request.on("error", reject);
    });
  } finally {
    server.close();
  }
}

describe("the socket-address stamp", () => {
  it("gives the request listener the socket's address, replacing what the client sent under that name", async () => {
    expect(await seenByServer("127.0.0.1", {})).toEqual({ peer: "127.0.0.1" });
    expect(await seenByServer("127.0.0.2", { [PEER_ADDRESS_HEADER]: "203.0.113.7" })).toEqual({ peer: "127.0.0.2" });
    const forged = `${peerStampToken()} 203.0.113.7`; // even with the right token: replaced
    expect(await seenByServer("127.0.0.3", { [PEER_ADDRESS_HEADER]: forged })).toEqual({ peer: "127.0.0.3" });
  });

  it("accepts only a stamp with this process's token", () => {
    const token = peerStampToken();
    expect(peerAddressOf(new Headers({ [PEER_ADDRESS_HEADER]: `${token} 192.0.2.1` }))).toBe("192.0.2.1");
    expect(peerAddressOf(new Headers({ [PEER_ADDRESS_HEADER]: "192.0.2.1" }))).toBeUndefined();
    expect(peerAddressOf(new Headers({ [PEER_ADDRESS_HEADER]: `${token[0] === "x" ? "y" : "x"}${token.slice(1)} 192.0.2.1` }))).toBeUndefined();
    expect(peerAddressOf(new Headers({ [PEER_ADDRESS_HEADER]: token }))).toBeUndefined();
    expect(peerAddressOf(new Headers())).toBeUndefined();
  });
});
