import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PharosError } from '../../core/errors.ts';
import { parseFilter, parseOrderBy, type SearchEntity } from './index.ts';

const clauses = (entity: SearchEntity, filter: string) => parseFilter(entity, filter).map(({ position: _p, ...c }) => c);

function rejects(entity: SearchEntity, filter: string, re: RegExp) {
  assert.throws(
    () => parseFilter(entity, filter),
    (e: unknown) => {
      assert.ok(e instanceof PharosError, `expected a PharosError, got ${e}`);
      assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
      assert.match(e.message, re);
      return true;
    },
    `filter ${filter}`,
  );
}

describe('parseFilter: runs grammar', () => {
  it('parses empty filters to no clauses', () => {
    assert.deepEqual(parseFilter('runs', ''), []);
    assert.deepEqual(parseFilter('runs', '   '), []);
  });

  it('parses the entity prefixes MLflow accepts and canonicalises them', () => {
    assert.deepEqual(clauses('runs', "metrics.acc > 0.9 AND params.lr = '0.1' and tags.team != \"x\" AnD attributes.status = 'FINISHED'"), [
      { type: 'metric', key: 'acc', comparator: '>', value: 0.9 },
      { type: 'parameter', key: 'lr', comparator: '=', value: '0.1' },
      { type: 'tag', key: 'team', comparator: '!=', value: 'x' },
      { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
    ]);
    for (const p of ['metric', 'metrics']) assert.equal(parseFilter('runs', `${p}.a = 1`)[0].type, 'metric');
    for (const p of ['param', 'params', 'parameter', 'parameters']) assert.equal(parseFilter('runs', `${p}.a = '1'`)[0].type, 'parameter');
    for (const p of ['tag', 'tags']) assert.equal(parseFilter('runs', `${p}.a = '1'`)[0].type, 'tag');
    for (const p of ['attribute', 'attributes', 'attr', 'run']) assert.equal(parseFilter('runs', `${p}.run_id = '1'`)[0].type, 'attribute');
    for (const p of ['dataset', 'datasets']) assert.equal(parseFilter('runs', `${p}.name = '1'`)[0].type, 'dataset');
  });

  it('defaults bare names to attributes and resolves aliases', () => {
    assert.deepEqual(clauses('runs', "status = 'RUNNING'"), [{ type: 'attribute', key: 'status', comparator: '=', value: 'RUNNING' }]);
    assert.deepEqual(clauses('runs', 'created > 5'), [{ type: 'attribute', key: 'start_time', comparator: '>', value: 5 }]);
    assert.deepEqual(clauses('runs', "`Run name` = 'x'"), [{ type: 'attribute', key: 'run_name', comparator: '=', value: 'x' }]);
    assert.deepEqual(clauses('runs', "\"run name\" = 'x'"), [{ type: 'attribute', key: 'run_name', comparator: '=', value: 'x' }]);
  });

  it('reads dotted, backticked and double-quoted keys', () => {
    assert.equal(parseFilter('runs', "tags.mlflow.runName = 'a'")[0].key, 'mlflow.runName');
    assert.equal(parseFilter('runs', 'metrics.`my metric` > 1')[0].key, 'my metric');
    assert.equal(parseFilter('runs', 'metrics."my metric" > 1')[0].key, 'my metric');
    assert.equal(parseFilter('runs', "tags.`mlflow.source.git.commit` = 'abc'")[0].key, 'mlflow.source.git.commit');
    assert.equal(parseFilter('runs', 'metrics.`we``ird` > 1')[0].key, 'we`ird');
    assert.equal(parseFilter('runs', 'metrics.2nd_pass < 3')[0].key, '2nd_pass');
    assert.equal(parseFilter('runs', 'metrics.précision_été > 0.5')[0].key, 'précision_été');
  });

  it('reads numbers as MLflow does, incl. negative and scientific notation', () => {
    const value = (f: string) => parseFilter('runs', f)[0].value;
    assert.equal(value('metrics.a > -1'), -1);
    assert.equal(value('metrics.a > 1.5e-3'), 0.0015);
    assert.equal(value('metrics.a > 2E+2'), 200);
    assert.equal(value('metrics.a > .5'), 0.5);
    assert.equal(value('metrics.a > 5.'), 5);
    assert.equal(value('metrics.a>1'), 1);
  });

  it('reads string values in single or double quotes with SQL and backslash escapes', () => {
    const value = (f: string) => parseFilter('runs', f)[0].value;
    assert.equal(value("params.a = 'it''s'"), "it's");
    assert.equal(value("params.a = 'it\\'s'"), "it's");
    assert.equal(value('params.a = "say ""hi"""'), 'say "hi"');
    assert.equal(value("params.a = ''"), '');
    assert.equal(value("params.a = 'AND OR = ('"), 'AND OR = (');
  });

  it('reads every comparator case-insensitively', () => {
    const cmp = (f: string) => parseFilter('runs', f)[0].comparator;
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) assert.equal(cmp(`metrics.a ${op} 1`), op);
    assert.equal(cmp("params.a like 'x%'"), 'LIKE');
    assert.equal(cmp("params.a ILike 'x%'"), 'ILIKE');
    assert.equal(cmp("run_id in ('a')"), 'IN');
    assert.equal(cmp("run_id not in ('a')"), 'NOT IN');
    assert.equal(cmp('params.a is null'), 'IS NULL');
    assert.equal(cmp('tags.a IS NOT NULL'), 'IS NOT NULL');
  });

  it('reads IN lists', () => {
    assert.deepEqual(parseFilter('runs', "attributes.run_id IN ('a', \"b\",'c',)")[0].value, ['a', 'b', 'c']);
    assert.deepEqual(parseFilter('runs', "datasets.digest NOT IN ('x')")[0].value, ['x']);
    assert.deepEqual(parseFilter('experiments', "experiment_id IN ('1', 2)")[0].value, ['1', '2']);
  });

  it('records the position of each clause', () => {
    assert.deepEqual(
      parseFilter('runs', "metrics.a > 1 AND  params.b = 'x'").map((c) => c.position),
      [0, 19],
    );
  });
});

describe('parseFilter: precise errors', () => {
  it('names the position and token for syntax errors', () => {
    rejects('runs', "metrics.a > 1 OR params.b = 'x'", /Invalid clause\(s\) in filter string: 'OR' is not supported.* at position 14/);
    rejects('runs', 'metrics.a > 1 params.b', /expected 'AND' or the end of the filter after a clause, found 'params.b' at position 14/);
    rejects('runs', 'metrics.a > 1 AND', /expected a clause after 'AND' at position 17/);
    rejects('runs', 'metrics.a', /expected a comparator .* after 'metrics.a', found end of input at position 9/);
    rejects('runs', 'metrics.a >', /expected a value \(a quoted string or a number\) after 'metrics.a >', found end of input at position 11/);
    rejects('runs', '(metrics.a > 1)', /parentheses are not supported.* at position 0/);
    rejects('runs', "params.a = 'open", /unterminated quoted string starting at position 11/);
    rejects('runs', 'metrics.`open > 1', /unterminated backtick-quoted identifier starting at position 8/);
    rejects('runs', 'metrics.a == 1', /Invalid comparator '==' after 'metrics.a'.* at position 10/);
    rejects('runs', 'metrics.a <> 1', /Invalid comparator '<>'/);
    rejects('runs', "params.a NOT LIKE 'x'", /Invalid comparator 'NOT LIKE'/);
    rejects('runs', 'params.a IS 5', /expected NULL or NOT NULL after 'IS', found '5'/);
    rejects('runs', 'params.a = abc', /value 'abc' is not quoted.* at position 11/);
    rejects('runs', "run_id IN 'a'", /expected a parenthesised list of quoted values after 'IN', found ''a''/);
    rejects('runs', 'run_id IN ()', /expected a non-empty list/);
    rejects('runs', "run_id IN ('a' 'b')", /expected ',' or '\)' in the list, found ''b''/);
    rejects('runs', 'metrics.a > 1x', /invalid number '1x' at position 12/);
    rejects('runs', 'metrics. > 1', /expected a name after '.' at position 7/);
    rejects('runs', 'metrics.a > 1; DROP TABLE runs', /unexpected character ';' at position 13/);
    rejects('runs', "params.a = 'x\0'", /NUL character in quoted text at position 13/);
    rejects('runs', "AND params.a = '1'", /found the keyword 'AND'/);
  });

  it('rejects unknown entity types and attribute keys like MLflow', () => {
    rejects('runs', "foo.a = 'x'", /Invalid entity type 'foo'/);
    rejects('runs', "Metrics.a = 1", /Invalid entity type 'Metrics'/);
    rejects('runs', "attributes.lifecycle_stage = 'active'", /Invalid attribute key 'lifecycle_stage' specified at position 0. Valid keys are/);
    rejects('runs', "experiment_id = '1'", /Invalid attribute key 'experiment_id'/);
    rejects('runs', "datasets.source = 'x'", /Invalid dataset key 'source'/);
  });

  it('enforces comparator sets per key type', () => {
    rejects('runs', "metrics.a LIKE '1'", /Invalid comparator 'LIKE' for metric 'a' at position 10, not one of '=, !=, <, <=, >, >='/);
    rejects('runs', 'metrics.a IS NULL', /Invalid comparator 'IS NULL' for metric 'a'/);
    rejects('runs', "params.a > '1'", /Invalid comparator '>' for param 'a'/);
    rejects('runs', "tags.a IN ('1')", /Invalid comparator 'IN' for tag 'a'/);
    rejects('runs', "attributes.status > 'x'", /Invalid comparator '>' for attribute 'status'/);
    rejects('runs', 'attributes.start_time LIKE 5', /Invalid comparator 'LIKE' for attribute 'start_time'/);
    rejects('runs', 'attributes.end_time IS NULL', /Invalid comparator 'IS NULL' for attribute 'end_time'/);
    rejects('runs', "datasets.name > 'x'", /Invalid comparator '>' for dataset 'name'/);
  });

  it('enforces value types', () => {
    rejects('runs', "metrics.a > '1'", /Expected numeric value type for metric. Found '1' at position 12/);
    rejects('runs', "attributes.start_time > '1'", /Expected numeric value type for numeric attribute: start_time/);
    rejects('runs', 'params.a = 1', /Expected a quoted string value for param 'a' \(e.g. 'my-value'\). Got value 1/);
    rejects('runs', "attributes.status IN ('A')", /Only 'run_id' attributes support comparison with a list/);
    rejects('runs', 'attributes.run_id IN (1, 2)', /expected a list of quoted string values but got 1 at position 22/);
  });

  it('applies each entity its own grammar', () => {
    rejects('experiments', "metrics.a = 1", /Invalid entity type 'metrics'/);
    rejects('experiments', "params.a = '1'", /Invalid entity type 'params'/);
    rejects('experiments', 'creation_time = 1.5', /Invalid value for numeric attribute 'creation_time'/);
    rejects('registered_models', "tags.a IS NULL", /Invalid comparator 'IS NULL'/);
    rejects('registered_models', "version_number = 1", /Invalid attribute key 'version_number'/);
    rejects('model_versions', "tags.a ILIKE 'x' AND source_path IN ('a')", /Only 'name, run_id' attributes/);
    rejects('model_versions', "creation_timestamp > 5", /Invalid attribute key 'creation_timestamp'/);
    rejects('logged_models', "datasets.name = 'x'", /Invalid entity type 'datasets'/);
    rejects('logged_models', "attributes.bogus = 'x'", /Invalid attribute key 'bogus'/);
    assert.deepEqual(clauses('logged_models', "params.a IN ('1', '2')"), [{ type: 'parameter', key: 'a', comparator: 'IN', value: ['1', '2'] }]);
    assert.deepEqual(clauses('logged_models', 'creation_time > 3'), [{ type: 'attribute', key: 'creation_timestamp', comparator: '>', value: 3 }]);
    assert.deepEqual(clauses('model_versions', 'version = 3'), [{ type: 'attribute', key: 'version_number', comparator: '=', value: 3 }]);
    assert.deepEqual(clauses('experiments', 'tags.x IS NULL'), [{ type: 'tag', key: 'x', comparator: 'IS NULL', value: null }]);
  });
});

describe('parseOrderBy', () => {
  it('reads keys and directions', () => {
    assert.deepEqual(parseOrderBy('runs', 'metrics.acc DESC'), { type: 'metric', key: 'acc', ascending: false });
    assert.deepEqual(parseOrderBy('runs', 'params.`my lr` asc'), { type: 'parameter', key: 'my lr', ascending: true });
    assert.deepEqual(parseOrderBy('runs', 'created'), { type: 'attribute', key: 'start_time', ascending: true });
    assert.deepEqual(parseOrderBy('runs', 'tags.mlflow.runName'), { type: 'tag', key: 'mlflow.runName', ascending: true });
    assert.deepEqual(parseOrderBy('registered_models', 'timestamp DESC'), { type: 'attribute', key: 'timestamp', ascending: false });
  });

  it('rejects malformed order_by clauses precisely', () => {
    const bad = (entity: SearchEntity, o: string, re: RegExp) => assert.throws(() => parseOrderBy(entity, o), re);
    bad('runs', 'metrics.acc DOWN', /Invalid order_by clause: expected ASC, DESC or the end of the clause, found 'DOWN' at position 12/);
    bad('runs', 'metrics.acc DESC extra', /unexpected 'extra' after the ordering at position 17/);
    bad('runs', 'attributes.bogus', /Invalid attribute key 'bogus'/);
    bad('runs', 'datasets.name', /Invalid order_by entity type 'dataset'/);
    bad('experiments', 'tags.x', /Invalid order_by entity type 'tag'/);
    bad('model_versions', 'run_id', /Invalid attribute key 'run_id'/);
  });
});
