// Query depth and cost limits, as a validation rule (so a hostile query is refused before any
// resolver runs). Cost: one per field, the subtree times `first` under paginated fields (100 when
// `first` is a variable, since variables are not known during validation). Aliases count as the
// fields they are, so a 10,000-alias query costs 10,000. Fragments are measured once (memoised),
// so fragment-spread bombs cannot make the check itself slow.
import {
  GraphQLError,
  getNamedType,
  isObjectType,
  Kind,
  type ArgumentNode,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { MAX_PAGE } from '../services/pagination';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

interface Measure {
  depth: number;
  cost: number;
}

export function queryLimitsRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const schema = context.getSchema();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions)
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const memo = new Map<string, Measure>();
    const inProgress = new Set<string>();

    const objectType = (type: GraphQLNamedType | null | undefined): GraphQLObjectType | null =>
      type && isObjectType(type) ? type : null;

    function multiplier(
      parent: GraphQLObjectType | null,
      field: string,
      args: readonly ArgumentNode[],
    ): number {
      const def = parent?.getFields()[field];
      const firstArg = def?.args.find((a) => a.name === 'first');
      if (!firstArg) return 1;
      const given = args.find((a) => a.name.value === 'first');
      if (!given) return typeof firstArg.defaultValue === 'number' ? firstArg.defaultValue : MAX_PAGE;
      return given.value.kind === Kind.INT ? Math.max(1, Number(given.value.value)) : MAX_PAGE;
    }

    function measure(set: SelectionSetNode, parent: GraphQLObjectType | null): Measure {
      let depth = 0;
      let cost = 0;
      for (const sel of set.selections) {
        let m: Measure;
        if (sel.kind === Kind.FIELD) {
          const def = parent?.getFields()[sel.name.value];
          const child = sel.selectionSet
            ? measure(sel.selectionSet, objectType(def ? getNamedType(def.type) : null))
            : { depth: 0, cost: 0 };
          m = {
            depth: child.depth + 1,
            cost: 1 + multiplier(parent, sel.name.value, sel.arguments ?? []) * child.cost,
          };
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          const type = sel.typeCondition ? objectType(schema.getType(sel.typeCondition.name.value)) : parent;
          m = measure(sel.selectionSet, type);
        } else {
          m = fragmentMeasure(sel.name.value);
        }
        depth = Math.max(depth, m.depth);
        cost += m.cost;
        // Far over the limit already: stop adding (keeps the numbers finite for absurd queries).
        if (cost > limits.maxCost * 1000) break;
      }
      return { depth, cost };
    }

    function fragmentMeasure(name: string): Measure {
      const known = memo.get(name);
      if (known) return known;
      const fragment = fragments.get(name);
      // Unknown or cyclic fragments are reported by graphql's own rules.
      if (!fragment || inProgress.has(name)) return { depth: 0, cost: 0 };
      inProgress.add(name);
      const m = measure(fragment.selectionSet, objectType(schema.getType(fragment.typeCondition.name.value)));
      inProgress.delete(name);
      memo.set(name, m);
      return m;
    }

    return {
      OperationDefinition(node) {
        const root =
          node.operation === 'query'
            ? schema.getQueryType()
            : node.operation === 'mutation'
              ? schema.getMutationType()
              : schema.getSubscriptionType();
        const { depth, cost } = measure(node.selectionSet, root ?? null);
        if (depth > limits.maxDepth)
          context.reportError(
            new GraphQLError(
              `the query is nested ${depth} levels deep; at most ${limits.maxDepth} are allowed`,
              {
                nodes: [node],
                extensions: { code: 'QUERY_TOO_DEEP' },
              },
            ),
          );
        else if (cost > limits.maxCost)
          context.reportError(
            new GraphQLError(
              `the query costs ${cost > limits.maxCost * 1000 ? `over ${limits.maxCost * 1000}` : cost}; at most ${limits.maxCost} is allowed`,
              {
                nodes: [node],
                extensions: { code: 'QUERY_TOO_COMPLEX' },
              },
            ),
          );
      },
    };
  };
}
