// The part of aws4 (SigV4 request signing; it ships no types) that src/blobs/s3.ts uses.
declare module 'aws4' {
  export interface SignableRequest {
    host: string;
    path: string;
    method: string;
    service: string;
    region: string;
    headers: Record<string, string>;
    body?: string | Buffer;
  }
  export interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }
  /** Adds Authorization, X-Amz-Date and X-Amz-Content-Sha256 (for s3) to `request.headers`; returns the request. */
  export function sign<R extends SignableRequest>(request: R, credentials: Credentials): R;
  const aws4: { sign: typeof sign };
  export default aws4;
}
