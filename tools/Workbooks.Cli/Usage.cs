namespace Workbooks.Cli;

/// <summary>The help texts.</summary>
internal static class Usage
{
    private const string Credentials = """
          Credentials (never on the command line, never printed):
            --api-key-env VAR        read the API key from environment variable VAR
            --username NAME          log in with a username (e-mail address) and password
            --password-env VAR       read the password from environment variable VAR (else: prompt without echo)
            --database ID            the logical database to log into, when the user has several
          With no credential option the API key comes from WORKBOOKS_API_KEY, or from a prompt when in a terminal.
            --allow-http-loopback    allow plain http:// to a loopback address (a local emulator)
            --batch-size N           class names per metadata request (default 20)

        """;

    public const string Pull = """
        Usage: workbooks schema pull --service URL [credentials] -o FILE [--picklists]

        Fetches the full metadata (every type with its fields, associations and actions) and writes a normalised
        snapshot: keys sorted, types by class_name, members by name, 2-space indentation, LF, final newline.
        Progress goes to standard error. -o - writes the snapshot to standard output.
        --picklists also captures the entries of the picklists the fields use (the snapshot's "picklists"
        extension): the generator then gives those fields a value type with the entries as static members.

        """ + Credentials;

    public const string Diff = """
        Usage: workbooks schema diff OLD NEW [--json]

        Compares two snapshots: one line per added, removed or changed type, field, association or action.
        BREAKING marks a removed type, field, association or action, a changed datatype or controller_path, and a
        field that is no longer filterable, updateable or createable.
        Exit code: 0 no change, 1 compatible changes only, 2 breaking changes, 3 error, 64 usage error.
        --json writes the changes as JSON instead.

        """;

    public const string Check = """
        Usage: workbooks schema check --service URL [credentials] FILE [--json]

        Drift detection: the same comparison as diff, between the committed snapshot FILE (old) and the live
        service (new). Exit code: 0 no drift, 1 compatible drift, 2 breaking drift, 3 error, 64 usage error.

        """ + Credentials;

    public const string Normalise = """
        Usage: workbooks schema normalise FILE [-o OUT | --check]

        Rewrites FILE (or writes OUT; - for standard output) in the normalised snapshot form.
        --check changes nothing and exits 1 when FILE is not normalised.

        """;

    public const string Mirror = """
        Usage: workbooks mirror --service URL [credentials] --to TARGET [options]

        Keeps a SQL copy of the database: one table per record type (crm/people -> crm_people), one typed column
        per field. The first run loads every record; later runs apply only what changed, deletions included. The
        sync position is stored in TARGET with the rows, so a run stopped at any point resumes exactly.

          --to TARGET              a SQLite file (crm.db; created when missing), or a PostgreSQL connection string
                                   ("Host=...;Database=...;Username=...") or postgres://user@host/db URL
          --to-password-env VAR    the PostgreSQL password, from environment variable VAR (else PGPASSWORD or
                                   ~/.pgpass, as psql does); never in TARGET
          --types A,B,...          record types, by controller path (crm/people), last part (people), table name
                                   or class name (default: every type the metadata lets you read)
          --deletions MODE         remove (default): delete the row; flag: keep it with is_deleted true
          --partitions N           id ranges read at once by a first load (default 8)
          --related                also mirror related attributes (employer[name] -> employer_name)
          --watch INTERVAL         keep going: a pass every INTERVAL (30s, 5m, 1h) until Ctrl-C
          --quiet                  print nothing but errors (progress is shown only on a terminal anyway)

        """ + Credentials;

    public const string Main = """
        workbooks - Workbooks CRM schema and mirror tool

        Usage:
          workbooks schema pull --service URL [credentials] -o FILE [--picklists]
          workbooks schema diff OLD NEW [--json]
          workbooks schema check --service URL [credentials] FILE [--json]
          workbooks schema normalise FILE [-o OUT | --check]
          workbooks mirror --service URL [credentials] --to crm.db [--types people,organisations] [--watch 30s]
          workbooks --version

        Run 'workbooks schema <command> --help' or 'workbooks mirror --help' for the options of a command.
        Exit codes: 0 success / no change, 1 compatible changes, 2 breaking changes, 3 error, 64 usage error.

        """;
}
