import { invalidParameter } from '../../core/errors.ts';
import { parseFilterSyntax, parseOrderBySyntax, type Comparator, type IdentifierNode, type RawClause, type ScalarNode } from './parser.ts';

/**
 * What each searchable entity accepts, transcribed from MLflow's SearchUtils family
 * (mlflow/utils/search_utils.py, mlflow/utils/search_logged_model_utils.py) and the SQL stores that
 * add their own checks. Deliberate differences from MLflow are marked "lenient" (we accept a spelling
 * MLflow rejects, never the other way round).
 */
export type SearchEntity = 'runs' | 'experiments' | 'registered_models' | 'model_versions' | 'logged_models';
export type ClauseType = 'metric' | 'parameter' | 'tag' | 'attribute' | 'dataset';
export type { Comparator } from './parser.ts';

export interface FilterClause {
  type: ClauseType;
  /** Canonical key: attribute aliases resolved (`created` -> `start_time`), quotes removed. */
  key: string;
  comparator: Comparator;
  /** number for numeric keys, string for string keys, string[] for IN / NOT IN, null for IS [NOT] NULL. */
  value: string | number | string[] | null;
  /** Character offset of the clause in the filter string. */
  position: number;
}

export interface OrderByKey {
  type: ClauseType;
  key: string;
  ascending: boolean;
}

type AttributeKind = 'string' | 'numeric';
interface AttributeSpec {
  kind: AttributeKind;
  /** Accepts IN / NOT IN with a list. */
  list?: boolean;
  /** Numeric attribute that must be compared with an integer (MLflow rejects 1.5 for timestamps in some stores). */
  integerOnly?: boolean;
  /** Narrower comparator set than the kind's default. */
  comparators?: readonly Comparator[];
  /** A quoted integer is accepted for this numeric attribute (MLflow's registry casts with int()). */
  quotedIntegers?: boolean;
  /** Values must be integers written as strings or numbers (experiment_id). */
  integerValues?: boolean;
  /** Cannot be used in a filter, only in order_by. */
  orderOnly?: boolean;
  /** Cannot be used in order_by. */
  filterOnly?: boolean;
}

interface EntitySpec {
  /** Entity-type words before the first dot, as MLflow spells them (case-sensitive, like MLflow). */
  prefixes: Record<string, ClauseType>;
  attributes: Record<string, AttributeSpec>;
  aliases: Record<string, string>;
  comparators: Partial<Record<ClauseType, readonly Comparator[]>>;
  stringAttributeComparators: readonly Comparator[];
  numericComparators: readonly Comparator[];
  datasetKeys?: readonly string[];
  /** Types that can appear in order_by. */
  orderByTypes: readonly ClauseType[];
  /** Example for error messages. */
  identifierHelp: string;
}

const NUMERIC: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const STRING_WITH_NULL: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'];
const STRING_BASIC: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const STRING_WITH_LIST: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

const RUN_PREFIXES: Record<string, ClauseType> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'parameter',
  parameters: 'parameter',
  param: 'parameter',
  params: 'parameter',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};
// MLflow accepts only `attribute.` / `tag.` / `tags.` here; `attributes.` / `attr.` are lenient additions.
const REGISTRY_PREFIXES: Record<string, ClauseType> = { attribute: 'attribute', attributes: 'attribute', attr: 'attribute', tag: 'tag', tags: 'tag' };

export const ENTITY_SPECS: Record<SearchEntity, EntitySpec> = {
  runs: {
    prefixes: RUN_PREFIXES,
    attributes: {
      run_id: { kind: 'string', list: true },
      run_name: { kind: 'string' },
      user_id: { kind: 'string' },
      status: { kind: 'string' },
      artifact_uri: { kind: 'string' },
      start_time: { kind: 'numeric' },
      end_time: { kind: 'numeric' },
    },
    aliases: { created: 'start_time', Created: 'start_time', 'run name': 'run_name', 'Run name': 'run_name', 'Run Name': 'run_name' },
    comparators: { metric: NUMERIC, parameter: STRING_WITH_NULL, tag: STRING_WITH_NULL, dataset: STRING_WITH_LIST },
    stringAttributeComparators: STRING_WITH_LIST,
    numericComparators: NUMERIC,
    datasetKeys: ['name', 'digest', 'context'],
    orderByTypes: ['metric', 'parameter', 'tag', 'attribute'],
    identifierHelp: "'attribute.<key>', 'metric.<key>', 'tag.<key>', 'dataset.<key>', or 'param.<key>'",
  },
  experiments: {
    prefixes: REGISTRY_PREFIXES,
    attributes: {
      name: { kind: 'string', comparators: STRING_BASIC },
      experiment_id: { kind: 'string', list: true, integerValues: true, comparators: ['=', '!=', 'IN', 'NOT IN'] },
      creation_time: { kind: 'numeric', integerOnly: true },
      last_update_time: { kind: 'numeric', integerOnly: true },
    },
    aliases: {},
    comparators: { tag: STRING_WITH_NULL },
    stringAttributeComparators: STRING_WITH_LIST,
    numericComparators: NUMERIC,
    orderByTypes: ['attribute'],
    identifierHelp: "'attribute.<key>' or 'tag.<key>'",
  },
  registered_models: {
    prefixes: REGISTRY_PREFIXES,
    attributes: {
      name: { kind: 'string', list: true },
      // order_by only; MLflow maps both `timestamp` and `last_updated_timestamp` to last_updated_time.
      timestamp: { kind: 'numeric', orderOnly: true },
      last_updated_timestamp: { kind: 'numeric', orderOnly: true },
      creation_timestamp: { kind: 'numeric', orderOnly: true }, // lenient: MLflow's SQL store rejects it
    },
    aliases: {},
    comparators: { tag: STRING_BASIC },
    stringAttributeComparators: STRING_WITH_LIST,
    numericComparators: NUMERIC,
    orderByTypes: ['attribute'],
    identifierHelp: "'name' or 'tags.<key>'",
  },
  model_versions: {
    prefixes: REGISTRY_PREFIXES,
    attributes: {
      name: { kind: 'string', list: true },
      run_id: { kind: 'string', list: true, filterOnly: true },
      source_path: { kind: 'string', filterOnly: true },
      version_number: { kind: 'numeric', integerOnly: true, quotedIntegers: true },
      creation_timestamp: { kind: 'numeric', orderOnly: true },
      last_updated_timestamp: { kind: 'numeric', orderOnly: true },
    },
    aliases: { version: 'version_number' }, // lenient
    comparators: { tag: STRING_BASIC },
    stringAttributeComparators: STRING_WITH_LIST,
    numericComparators: NUMERIC,
    orderByTypes: ['attribute'],
    identifierHelp: "'name', 'run_id', 'source_path', 'version_number' or 'tags.<key>'",
  },
  logged_models: {
    // MLflow's logged-model parser only knows the plural words; the singular ones are lenient.
    prefixes: {
      attributes: 'attribute',
      attribute: 'attribute',
      metrics: 'metric',
      metric: 'metric',
      params: 'parameter',
      param: 'parameter',
      tags: 'tag',
      tag: 'tag',
    },
    attributes: {
      name: { kind: 'string', list: true },
      model_id: { kind: 'string', list: true },
      model_type: { kind: 'string', list: true },
      status: { kind: 'string', list: true },
      source_run_id: { kind: 'string', list: true },
      creation_timestamp: { kind: 'numeric' },
      last_updated_timestamp: { kind: 'numeric' },
    },
    aliases: {
      creation_time: 'creation_timestamp',
      creation_timestamp_ms: 'creation_timestamp',
      last_updated_time: 'last_updated_timestamp',
      last_updated_timestamp_ms: 'last_updated_timestamp',
    },
    comparators: { metric: NUMERIC, parameter: STRING_WITH_LIST, tag: STRING_WITH_LIST },
    stringAttributeComparators: STRING_WITH_LIST,
    numericComparators: NUMERIC,
    orderByTypes: ['attribute', 'metric'],
    identifierHelp: "'attributes.<key>', 'metrics.<key>', 'params.<key>' or 'tags.<key>'",
  },
};

const fmt = (list: readonly string[]) => `'${list.join(', ')}'`;

function resolveIdentifier(spec: EntitySpec, node: IdentifierNode, purpose: 'filter' | 'order_by'): { type: ClauseType; key: string } {
  const [head, ...rest] = node.parts;
  let type: ClauseType;
  let key: string;
  if (rest.length === 0) {
    type = 'attribute';
    key = head.name;
  } else {
    const t = spec.prefixes[head.name];
    if (!t) {
      throw invalidParameter(
        `Invalid entity type '${head.name}' at position ${node.pos}. Valid values are ${fmt([...new Set(Object.keys(spec.prefixes))])}; ` +
          `columns are specified as ${spec.identifierHelp}`,
      );
    }
    type = t;
    key = rest.map((p) => p.name).join('.');
  }
  if (key === '') throw invalidParameter(`Invalid identifier '${node.text}' at position ${node.pos}: the key is empty`);
  if (type === 'attribute') {
    key = spec.aliases[key] ?? key;
    const attr = spec.attributes[key];
    const valid = Object.entries(spec.attributes)
      .filter(([, a]) => (purpose === 'filter' ? !a.orderOnly : !a.filterOnly))
      .map(([k]) => k);
    if (!attr || !valid.includes(key)) {
      throw invalidParameter(`Invalid attribute key '${key}' specified at position ${node.pos}. Valid keys are ${fmt(valid)}`);
    }
  } else if (type === 'dataset' && !spec.datasetKeys?.includes(key)) {
    throw invalidParameter(`Invalid dataset key '${key}' specified at position ${node.pos}. Valid keys are ${fmt(spec.datasetKeys ?? [])}`);
  }
  return { type, key };
}

const describeType = (type: ClauseType) => (type === 'parameter' ? 'param' : type);

function checkClause(spec: EntitySpec, raw: RawClause): FilterClause {
  const { type, key } = resolveIdentifier(spec, raw.identifier, 'filter');
  const attr = type === 'attribute' ? spec.attributes[key] : undefined;
  const numeric = type === 'metric' || attr?.kind === 'numeric';
  const allowed: readonly Comparator[] = attr
    ? (attr.comparators ?? (attr.kind === 'numeric' ? spec.numericComparators : spec.stringAttributeComparators))
    : (spec.comparators[type] ?? []);
  const where = `for ${describeType(type)} '${key}' at position ${raw.comparatorPos}`;
  if (!allowed.includes(raw.comparator)) {
    throw invalidParameter(`Invalid comparator '${raw.comparator}' ${where}, not one of ${fmt(allowed)}`);
  }
  const base = { type, key, comparator: raw.comparator, position: raw.identifier.pos };
  const v = raw.value;
  if (v === null) return { ...base, value: null };
  if (v.kind === 'list') {
    if (attr && !attr.list) {
      const listKeys = Object.entries(spec.attributes)
        .filter(([, a]) => a.list)
        .map(([k]) => k);
      throw invalidParameter(`Only ${fmt(listKeys)} attributes support comparison with a list of quoted string values (${where})`);
    }
    const items = v.items.map((item) => {
      if (attr?.integerValues) return integerValue(key, item);
      if (item.kind !== 'string') {
        throw invalidParameter(
          `While parsing a list in the query, expected a list of quoted string values but got ${item.text} at position ${item.pos}`,
        );
      }
      return item.value;
    });
    return { ...base, value: items };
  }
  if (attr?.integerValues) return { ...base, value: integerValue(key, v) };
  if (numeric) {
    if (v.kind === 'string' && attr?.quotedIntegers) {
      if (!/^\s*-?\d+\s*$/.test(v.value)) throw invalidParameter(`Invalid value for numeric attribute '${key}': ${v.text} at position ${v.pos}`);
      return { ...base, value: Number(v.value) };
    }
    if (v.kind !== 'number') {
      const what = type === 'metric' ? 'metric' : `numeric attribute: ${key}`;
      throw invalidParameter(`Expected numeric value type for ${what}. Found ${v.text} at position ${v.pos}`);
    }
    if (attr?.integerOnly && !v.isInteger) {
      throw invalidParameter(`Invalid value for numeric attribute '${key}': '${v.text}' at position ${v.pos}, expected an integer`);
    }
    return { ...base, value: v.value };
  }
  if (v.kind !== 'string') {
    throw invalidParameter(`Expected a quoted string value for ${describeType(type)} '${key}' (e.g. 'my-value'). Got value ${v.text} at position ${v.pos}`);
  }
  return { ...base, value: v.value };
}

function integerValue(key: string, node: ScalarNode): string {
  const text = node.kind === 'string' ? node.value : node.text;
  if (!/^-?\d+$/.test(text.trim())) throw invalidParameter(`Invalid ${key} value ${node.text} at position ${node.pos}: expected an integer`);
  return text.trim();
}

export function parseFilter(entity: SearchEntity, filter: string | undefined | null): FilterClause[] {
  if (!filter || filter.trim() === '') return [];
  const spec = ENTITY_SPECS[entity];
  return parseFilterSyntax(filter).map((raw) => checkClause(spec, raw));
}

/** Parses one MLflow order_by string (`metrics.acc DESC`) for an entity. */
export function parseOrderBy(entity: SearchEntity, orderBy: string): OrderByKey {
  const spec = ENTITY_SPECS[entity];
  const raw = parseOrderBySyntax(orderBy);
  const { type, key } = resolveIdentifier(spec, raw.identifier, 'order_by');
  if (!spec.orderByTypes.includes(type)) {
    throw invalidParameter(`Invalid order_by entity type '${describeType(type)}' in '${orderBy}'. Valid types are ${fmt(spec.orderByTypes.map(describeType))}`);
  }
  return { type, key, ascending: raw.ascending };
}

/** Parses a list of order_by strings, rejecting duplicates as MLflow does. */
export function parseOrderByList(entity: SearchEntity, orderBy: readonly string[] | undefined): OrderByKey[] {
  const seen = new Set<string>();
  return (orderBy ?? [])
    .filter((o) => o.trim() !== '')
    .map((o) => {
      const parsed = parseOrderBy(entity, o);
      const id = `${parsed.type}\u0000${parsed.key}`;
      if (seen.has(id)) throw invalidParameter(`\`order_by\` contains duplicate fields: ${JSON.stringify(orderBy)}`);
      seen.add(id);
      return parsed;
    });
}
