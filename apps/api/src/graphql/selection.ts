// The fields a query asks for below a resolver's own field (through aliases, fragments, @skip and
// @include, as graphql-js itself collects them), so that a list's SQL can leave out what nobody reads.
import {
  getNamedType,
  isObjectType,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
} from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields.js';

/** Names of the fields asked for at `path` below the resolved field; null when the path is not asked for. */
export function requestedFields(info: GraphQLResolveInfo, path: string[]): Set<string> | null {
  let type: GraphQLNamedType = getNamedType(info.returnType);
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (let depth = 0; ; depth++) {
    if (!isObjectType(type)) return null;
    const selected = [
      ...collectSubfields(info.schema, info.fragments, info.variableValues, type, nodes).values(),
    ];
    if (depth === path.length) return new Set(selected.map((f) => f[0].name.value));
    const step = path[depth];
    nodes = selected.filter((f) => f[0].name.value === step).flat();
    if (!nodes.length) return null;
    type = getNamedType(type.getFields()[step].type);
  }
}
