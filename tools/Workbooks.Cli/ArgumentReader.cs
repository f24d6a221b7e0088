namespace Workbooks.Cli;

/// <summary>The command line is wrong: the message says how (exit code 64).</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public UsageException() { }

    /// <summary>Creates the exception.</summary>
    public UsageException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A failure to report as one line on stderr (exit code 3).</summary>
public sealed class CliErrorException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CliErrorException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public CliErrorException() { }

    /// <summary>Creates the exception.</summary>
    public CliErrorException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The parsed arguments of one command: options with values (<c>--name value</c>, <c>--name=value</c>, <c>-o value</c>),
/// flags, and positional arguments (everything after <c>--</c> is positional).
/// </summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    /// <summary>The positional arguments, in order.</summary>
    public List<string> Positionals { get; } = [];

    /// <summary>The value of an option, or null when it was not given.</summary>
    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v : null;

    /// <summary>Whether a flag was given.</summary>
    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>The value of a required option.</summary>
    public string Required(string name, string what) =>
        Value(name) ?? throw new UsageException($"{name} {what} is required.");

    /// <summary>Parses <paramref name="args"/> against the options and flags a command accepts.</summary>
    /// <param name="args">The arguments after the command words.</param>
    /// <param name="command">The command, for messages.</param>
    /// <param name="options">Options taking a value; aliases map to their canonical name (e.g. <c>-o</c> to <c>--output</c>).</param>
    /// <param name="flags">Options without a value.</param>
    public static ParsedArguments Parse(IReadOnlyList<string> args, string command, IReadOnlyDictionary<string, string> options, IReadOnlyCollection<string> flags)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(flags);
        var result = new ParsedArguments();
        var onlyPositionals = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyPositionals || arg == "-" || !arg.StartsWith('-'))
            {
                result.Positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                onlyPositionals = true;
                continue;
            }
            string name = arg;
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 2)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }
            if (flags.Contains(name))
            {
                if (inline is not null)
                    throw new UsageException($"{name} takes no value.");
                result._flags.Add(name);
            }
            else if (options.TryGetValue(name, out var canonical))
            {
                string value;
                if (inline is not null)
                    value = inline;
                else if (i + 1 < args.Count)
                    value = args[++i];
                else
                    throw new UsageException($"{name} needs a value.");
                if (!result._values.TryAdd(canonical, value))
                    throw new UsageException($"{canonical} was given more than once.");
            }
            else
            {
                throw new UsageException($"'{command}' does not take the option '{name}'.");
            }
        }
        return result;
    }
}
