/**
 * The programs that may sign in through the device authorization grant
 * (RFC 8628), by the `client_id` they send to `/api/auth/device/code`, with the
 * name the `/device` page shows the person approving them. Any other client id
 * is refused (`invalid_client`), so a page can never be asked to approve a
 * program it cannot name.
 */
export const DEVICE_CLIENTS: Readonly<Record<string, string>> = {
  "todo-cli": "Todo command line (todo)",
};

export function isDeviceClient(clientId: string): boolean {
  return Object.hasOwn(DEVICE_CLIENTS, clientId);
}

/** The name to show for a client id: its known name, else the id itself. */
export function deviceClientName(clientId: string | undefined): string {
  if (clientId && isDeviceClient(clientId)) return DEVICE_CLIENTS[clientId];
  return clientId || "An unknown program";
}
