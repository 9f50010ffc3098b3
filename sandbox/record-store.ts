import { randomBytes } from 'node:crypto';

/** A stored row: the columns the API accepted plus the system fields the sandbox sets. */
export interface SandboxRecord {
  sys_id: string;
  /** Creation time in ServiceNow's `YYYY-MM-DD HH:mm:ss` format, UTC. */
  sys_created_on: string;
  /** User name of the caller that created the record. */
  sys_created_by: string;
  [column: string]: string;
}

/** Formats a date as ServiceNow's glide date-time `YYYY-MM-DD HH:mm:ss`, in UTC. */
export function formatGlideDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Creates a random sys_id: 32 lower-case hex characters, as ServiceNow's are. */
export function newSysId(): string {
  return randomBytes(16).toString('hex');
}

/** The sandbox's tables, each an append-only list in insertion order. */
export class RecordStore {
  private readonly rows = new Map<string, SandboxRecord[]>();

  constructor(
    tables: Iterable<string>,
    private readonly now: () => Date,
  ) {
    for (const table of tables) this.rows.set(table, []);
  }

  hasTable(table: string): boolean {
    return this.rows.has(table);
  }

  tableNames(): string[] {
    return [...this.rows.keys()];
  }

  /** Inserts a row; system fields always win over columns of the same name. */
  insert(table: string, columns: Record<string, string>, createdBy: string): SandboxRecord {
    const record: SandboxRecord = {
      ...columns,
      sys_id: newSysId(),
      sys_created_on: formatGlideDateTime(this.now()),
      sys_created_by: createdBy,
    };
    this.tableRows(table).push(record);
    return { ...record };
  }

  /** Returns copies of a table's rows in insertion order. */
  list(table: string): SandboxRecord[] {
    return this.tableRows(table).map((record) => ({ ...record }));
  }

  find(table: string, sysId: string): SandboxRecord | undefined {
    const record = this.tableRows(table).find((row) => row.sys_id === sysId);
    return record === undefined ? undefined : { ...record };
  }

  /** Deletes every row of every table and returns how many there were. */
  clear(): number {
    let deleted = 0;
    for (const rows of this.rows.values()) {
      deleted += rows.length;
      rows.length = 0;
    }
    return deleted;
  }

  private tableRows(table: string): SandboxRecord[] {
    const rows = this.rows.get(table);
    if (rows === undefined) {
      throw new RangeError(
        `Table "${table}" is not configured in the sandbox; configured tables: ${this.tableNames().join(', ')}`,
      );
    }
    return rows;
  }
}
