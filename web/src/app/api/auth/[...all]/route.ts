import { handleAuthRequest } from "@/lib/server/auth";

export const GET = handleAuthRequest;
export const POST = handleAuthRequest;
