/**
 * A JSON request body as every Pharos server reads it: an empty body is `{}` (the mlflow client sends empty
 * bodies with a JSON content type), anything unparsable a 400 that says where it broke.
 */
export function parseJsonBody(raw: string): unknown {
  const text = raw.trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw Object.assign(new Error(`Malformed JSON body: ${(e as Error).message}`), { statusCode: 400 });
  }
}
