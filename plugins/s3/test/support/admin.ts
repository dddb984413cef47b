/** Direct SDK access to the test server, to set up buckets and check what the tools stored. */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Readable } from "node:stream";
import { openBucket, type S3Bucket } from "../../src/bucket.js";
import type { S3Credentials } from "../../src/credentials.js";
import { ACCESS_KEY, SECRET_KEY } from "./versitygw.js";

export function s3Credentials(endpoint: string, bucket: string, extra: Partial<S3Credentials> = {}): S3Credentials {
  return {
    S3_ENDPOINT: endpoint,
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY: ACCESS_KEY,
    S3_SECRET_KEY: SECRET_KEY,
    BUCKET_NAME: bucket,
    ...extra,
  } as S3Credentials;
}

export async function createBucket(credentials: S3Credentials): Promise<S3Bucket> {
  const bucket = openBucket(credentials);
  await bucket.client.send(new CreateBucketCommand({ Bucket: bucket.name }));
  return bucket;
}

export async function getObject(
  bucket: S3Bucket,
  key: string,
): Promise<{ bytes: Buffer; contentType: string | undefined; etag: string | undefined }> {
  const object = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
  return {
    bytes: Buffer.from(await object.Body!.transformToByteArray()),
    contentType: object.ContentType,
    etag: object.ETag,
  };
}

export async function putObject(bucket: S3Bucket, key: string, bytes: Buffer, contentType?: string): Promise<void> {
  await bucket.client.send(
    new PutObjectCommand({ Bucket: bucket.name, Key: key, Body: bytes, ContentType: contentType }),
  );
}

/** lib-storage's Upload with its defaults (5 MiB parts, 4 in flight): the benchmark's baseline. */
export async function sdkUpload(bucket: S3Bucket, key: string, body: Readable): Promise<void> {
  await new Upload({ client: bucket.client, params: { Bucket: bucket.name, Key: key, Body: body } }).done();
}

export async function deleteObject(bucket: S3Bucket, key: string): Promise<void> {
  await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: key }));
}

/** Streams an object and counts its bytes without keeping them. */
export async function countObjectBytes(bucket: S3Bucket, key: string): Promise<number> {
  const object = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
  let bytes = 0;
  for await (const chunk of object.Body as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  return bytes;
}

/** The bucket's unfinished multipart uploads, each with the number of parts it holds. */
export async function multipartUploads(bucket: S3Bucket): Promise<{ key: string; uploadId: string; parts: number }[]> {
  const listed = await bucket.client.send(new ListMultipartUploadsCommand({ Bucket: bucket.name }));
  return Promise.all(
    (listed.Uploads ?? []).map(async (upload) => {
      const parts = await bucket.client.send(
        new ListPartsCommand({ Bucket: bucket.name, Key: upload.Key, UploadId: upload.UploadId }),
      );
      return { key: upload.Key!, uploadId: upload.UploadId!, parts: parts.Parts?.length ?? 0 };
    }),
  );
}

/** Bytes that differ at every offset, so a shifted or truncated copy never matches. */
export function patterned(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed;
  for (let index = 0; index < size; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}
