/**
 * The hand-back of a minted kubeconfig: the CLI makes a one-time RSA key pair, sends the public
 * key with the mint request, and opens the envelope the node wrote (bootstrap/node/mint-kubeconfig.sh):
 *   kubeplane-handback-v1.<RSA-OAEP-SHA256(aes key ‖ mac key)>.<iv>.<AES-256-CBC(kubeconfig)>.<HMAC-SHA256(iv ‖ ciphertext)>
 * (each part base64). The private key lives only in this process: whatever the cloud keeps of the
 * hand-back (a parameter a crashed CLI did not delete) is ciphertext nobody can open.
 */
import { createDecipheriv, createHmac, generateKeyPairSync, KeyObject, privateDecrypt, constants, timingSafeEqual } from "crypto";

const PREFIX = "kubeplane-handback-v1";

/** A one-time recipient of a hand-back. */
export interface HandbackRecipient {
  /** The public key, SPKI PEM, base64 (one line): what the mint command's `--recipient` takes. */
  readonly publicKeyBase64: string;
  /** The public key, SPKI PEM. */
  readonly publicKeyPem: string;
  /** Opens an envelope made for this recipient; throws, saying why, when it is not one. */
  open(envelope: string): string;
}

/** A new recipient (RSA 2048, made now; its private key never leaves this process). */
export function newRecipient(): HandbackRecipient {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  return { publicKeyPem, publicKeyBase64: Buffer.from(publicKeyPem).toString("base64"), open: (envelope) => openEnvelope(privateKey, envelope) };
}

function openEnvelope(privateKey: KeyObject, envelope: string): string {
  const parts = envelope.trim().split(".");
  if (parts.length !== 5 || parts[0] !== PREFIX) {
    throw new Error(`the hand-back is not a ${PREFIX} envelope (${parts.length} parts, starting "${parts[0].slice(0, 30)}")`);
  }
  const [wrapped, iv, ciphertext, mac] = parts.slice(1).map((p) => Buffer.from(p, "base64"));
  let keys: Buffer;
  try {
    keys = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, wrapped);
  } catch {
    throw new Error("the hand-back was not encrypted to this request's key");
  }
  if (keys.length !== 64 || iv.length !== 16) throw new Error("the hand-back's keys or IV have the wrong length");
  const expected = createHmac("sha256", keys.subarray(32)).update(Buffer.concat([iv, ciphertext])).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new Error("the hand-back's MAC does not match: it was altered");
  const decipher = createDecipheriv("aes-256-cbc", keys.subarray(0, 32), iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
}
