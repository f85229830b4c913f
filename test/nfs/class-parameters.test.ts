import t from 'tap';
import { parseClassParameters, parseGoBool, parseId, parseMode, unknownParametersMessage } from '../../lib/nfs/class-parameters.ts';

function parameters(input: Record<string, string> | undefined) {
  const result = parseClassParameters(input);
  if (!result.ok) throw new Error(result.message);
  return result.parameters;
}
function problem(input: Record<string, string>): string {
  const result = parseClassParameters(input);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(input)}`);
  return result.message;
}

void t.test('defaults are the Go project ones', (t) => {
  t.same(parameters(undefined), { reclaim: 'archive', mode: 0o777 });
  t.same(parameters({}), { reclaim: 'archive', mode: 0o777 });
  t.end();
});

void t.test('archiveOnDelete takes Go ParseBool syntax', (t) => {
  for (const text of ['1', 't', 'T', 'TRUE', 'true', 'True']) t.equal(parameters({ archiveOnDelete: text }).reclaim, 'archive', text);
  for (const text of ['0', 'f', 'F', 'FALSE', 'false', 'False']) t.equal(parameters({ archiveOnDelete: text }).reclaim, 'delete', text);
  for (const text of ['maybe', 'yes', 'tRuE', '', ' true']) {
    t.match(problem({ archiveOnDelete: text }), `archiveOnDelete: "${text}" is not a boolean`, JSON.stringify(text));
  }
  t.equal(parseGoBool('no'), undefined);
  t.end();
});

void t.test('onDelete wins over archiveOnDelete', (t) => {
  t.equal(parameters({ onDelete: 'delete', archiveOnDelete: 'true' }).reclaim, 'delete');
  t.equal(parameters({ onDelete: 'retain', archiveOnDelete: 'false' }).reclaim, 'retain');
  t.equal(parameters({ onDelete: 'archive', archiveOnDelete: 'false' }).reclaim, 'archive');
  t.equal(parameters({ onDelete: '', archiveOnDelete: 'false' }).reclaim, 'delete', 'empty onDelete is unset');
  t.match(problem({ onDelete: 'Delete' }), 'onDelete: "Delete" is not one of delete, retain, archive');
  t.match(problem({ onDelete: 'delete', archiveOnDelete: 'maybe' }), 'archiveOnDelete', 'a bad value is refused even when unused');
  t.end();
});

void t.test('mode is octal up to 07777', (t) => {
  t.equal(parameters({ mode: '0770' }).mode, 0o770);
  t.equal(parameters({ mode: '770' }).mode, 0o770);
  t.equal(parameters({ mode: '2775' }).mode, 0o2775);
  t.equal(parameters({ mode: '0o755' }).mode, 0o755);
  t.equal(parameters({ mode: '07777' }).mode, 0o7777);
  for (const text of ['999', '17777', '077777', '-1', '', 'rwx', '0x1ff', '0778']) {
    t.equal(parseMode(text), undefined, text);
  }
  t.match(problem({ mode: '999' }), 'mode: "999" is not an octal permission');
  t.end();
});

void t.test('uid and gid are non-negative integers', (t) => {
  t.same(parameters({ uid: '1000', gid: '0' }), { reclaim: 'archive', mode: 0o777, uid: 1000, gid: 0 });
  t.same(parameters({ gid: '2000' }), { reclaim: 'archive', mode: 0o777, gid: 2000 });
  for (const text of ['-1', '1.5', 'root', '', '4294967295', '99999999999']) t.equal(parseId(text), undefined, text);
  t.match(problem({ uid: 'root' }), 'uid: "root" is not a non-negative integer');
  t.match(problem({ gid: '-5' }), 'gid: "-5"');
  t.end();
});

void t.test('unknown keys do not refuse the class: they are returned for a warning, the defaults apply', (t) => {
  const result = parseClassParameters({ archiveOndelete: 'false', foo: '1' });
  t.same(result, { ok: true, parameters: { reclaim: 'archive', mode: 0o777 }, unknownKeys: ['archiveOndelete', 'foo'] }, 'the mistyped key does not turn archive off');
  t.same(parseClassParameters({ onDelete: 'delete' }), { ok: true, parameters: { reclaim: 'delete', mode: 0o777 }, unknownKeys: [] });
  const message = unknownParametersMessage(['archiveOndelete']);
  t.match(message, 'unknown parameter "archiveOndelete" ignored');
  t.match(message, '(known: archiveOnDelete, onDelete, pathPattern, mode, uid, gid, export)');
  t.match(unknownParametersMessage(['a', 'b']), 'unknown parameters "a", "b" ignored');
  t.end();
});

void t.test('known keys with bad values are still refused, all problems at once; unknown keys alongside are not a problem', (t) => {
  const message = problem({ foo: '1', mode: '999', pathPattern: '${.PVC.nope}' });
  t.notMatch(message, 'foo');
  t.match(message, 'mode: "999"');
  t.match(message, 'unknown variable');
  t.match(message, /^invalid StorageClass parameters: /);
  t.end();
});

void t.test('export names the export; empty is unset', (t) => {
  t.equal(parameters({ export: 'second' }).export, 'second');
  t.equal(parameters({ export: '' }).export, undefined);
  t.end();
});

void t.test('pathPattern is parsed', (t) => {
  t.equal(parameters({ pathPattern: '${.PVC.namespace}/${.PVC.name}' }).pathPattern?.components.length, 2);
  t.end();
});
