/**
 * Stands in for the signed URL Dify gives a plugin's file upload
 * (files/upload/for-plugin): it takes the multipart `file` field and answers
 * 201 with the file's record built from what arrived, so a vector records what
 * each side uploaded as well as how it read the answer.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** Where a case's backwards answers write the stand-in's URL. */
export const UPLOAD_URL_PLACEHOLDER = "{signed_upload_url}";

export interface UploadEndpoint {
  url: string;
  close(): Promise<void>;
}

export async function startUploadEndpoint(): Promise<UploadEndpoint> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = new Response(Buffer.concat(chunks), {
        headers: { "content-type": request.headers["content-type"] ?? "" },
      });
      body
        .formData()
        .then((form) => {
          const file = form.get("file");
          if (!(file instanceof File)) throw new Error("no file field");
          const record = {
            id: "file-1",
            name: file.name,
            size: file.size,
            extension: file.name.slice(file.name.lastIndexOf(".") + 1),
            mime_type: file.type,
          };
          response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(record));
        })
        .catch((error: Error) => response.writeHead(400).end(error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/upload/for-plugin?sign=conformance`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
