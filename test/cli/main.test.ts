import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';

const run = promisify(execFile);

let stdout: string;
let stderr: string;

beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
    stdout += String(text);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    stderr += String(text);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('usage errors', () => {
  it.each([
    [['send'], 'send', 'send needs --source <id>'],
    [['send', 'events/generic/batch-mixed.json'], 'send', 'send needs --source <id>'],
    [['send', '--source', 'generic'], 'send', 'send needs a <file>'],
    [['send', '--source', 'generic', 'a.json', 'b.json'], 'send', 'got 2: a.json b.json'],
    [['send', '--colour', 'red'], 'send', "Unknown option '--colour'"],
    [['dlq'], 'dlq', 'dlq needs a subcommand'],
    [['dlq', 'frob'], 'dlq', 'Unknown dlq subcommand "frob"'],
    [['dlq', 'show'], 'dlq', 'dlq show needs exactly one <id>'],
    [['dlq', 'redrive'], 'dlq', 'dlq redrive needs --filter'],
    [['dlq', 'list', '--colour'], 'dlq', "Unknown option '--colour'"],
    [['dlq', 'list', '--region', 'eu-west-1'], 'dlq', 'pass --queue-url too'],
    [['pull'], 'pull', 'pull needs a <job>'],
    [['pull', 'a', 'b', '--once'], 'pull', 'got 2: a b'],
    [['pull', 'threatfox-recent'], 'pull', 'only with --once'],
    [['pull', 'threatfox-recent', '--colour'], 'pull', "Unknown option '--colour'"],
  ])('%j prints problem and command usage', async (argv, command, problem) => {
    const code = await main(argv);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [firstLine] = stderr.split('\n');
    expect(firstLine).toMatch(/^secops-relay: /);
    expect(firstLine).toContain(problem);
    expect(stderr).toContain(`Usage: secops-relay ${command} [options]`);
    // Only that command's usage: the list of every command is not repeated.
    expect(stderr).not.toContain('Commands:');
    for (const other of ['send --source', 'dlq list', 'pull <job>'].filter(
      (usage) => !usage.startsWith(command),
    )) {
      expect(stderr).not.toContain(other);
    }
  });

  it('unknown command prints every command', async () => {
    const code = await main(['frob']);

    expect(code).toBe(2);
    expect(stderr).toContain('Unknown command "frob"');
    expect(stderr).toContain('Commands:');
  });

  it('command --help exits 0', async () => {
    const code = await main(['send', '--help']);

    expect(code).toBe(0);
    expect(stdout).toContain('Usage: secops-relay send [options]');
    expect(stderr).toBe('');
  });
});

describe('no command', () => {
  it('exits 2 with the usage on stderr', async () => {
    const failure = await run(process.execPath, ['bin/secops-relay.js']).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

    expect('code' in failure && failure.code).toBe(2);
    expect(failure.stdout).toBe('');
    expect(failure.stderr).toContain('secops-relay: A command is missing.');
    expect(failure.stderr).toContain('Commands:');
  });

  it.each([['help'], ['--help'], ['-h']])('%s exits 0 with the usage', async (argument) => {
    const code = await main([argument]);

    expect(code).toBe(0);
    expect(stdout).toContain('Commands:');
    expect(stderr).toBe('');
  });
});
