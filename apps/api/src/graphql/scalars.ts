// The schema's scalars: DateTime (ISO-8601 strings <-> Date), JSON (as is), File (multipart uploads).
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime()))
    throw new GraphQLError(`not an ISO-8601 date-time: ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  return date;
}

const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : null),
});

// BigInt is not JSON: evidence written by the pipeline never has one, but be safe.
const toJson = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: toJson,
  parseValue: (value) => value,
});

// graphql-upload's scalar is named Upload, which is this schema's upload type: the same scalar, renamed.
const File = new GraphQLScalarType({ ...GraphQLUpload.toConfig(), name: 'File' });

export const scalarResolvers = { DateTime, JSON: JSONScalar, File };
