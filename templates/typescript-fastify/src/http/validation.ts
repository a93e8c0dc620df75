// Fastify validates with Ajv. Its default coerces types everywhere, which would accept
// `"done": "yes"` or `"title": 5` in a JSON body; the contract wants those to be 422. So bodies
// get a strict Ajv (no coercion) and only the query string, where everything arrives as text,
// gets one that coerces "20" to 20.
import { Ajv, type Options } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

const common: Options = {
  allErrors: false,
  useDefaults: true,
  removeAdditional: false,
  strict: false,
};
const strictAjv = new Ajv({ ...common, coerceTypes: false });
const coercingAjv = new Ajv({ ...common, coerceTypes: true });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === "body" ? strictAjv : coercingAjv;
  return ajv.compile(schema);
};
