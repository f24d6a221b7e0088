using System;
using System.Text;

namespace Workbooks.Generator.Helpers;

/// <summary>
/// A StringBuilder with an indentation level (the shape of System.Text.Json's generator writer): multi-line text is
/// re-indented line by line, and lines always end with LF so the output does not depend on the build machine.
/// </summary>
internal sealed class SourceWriter
{
    private const int IndentSize = 4;
    private readonly StringBuilder _builder = new();

    public int Indentation { get; set; }

    public void WriteLine() => _builder.Append('\n');

    public void WriteLine(string text)
    {
        if (text.IndexOf('\n') < 0)
        {
            WriteIndentedLine(text);
            return;
        }
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
            WriteIndentedLine(line);
    }

    public void OpenBlock()
    {
        WriteLine("{");
        Indentation++;
    }

    public void CloseBlock()
    {
        Indentation--;
        WriteLine("}");
    }

    public override string ToString() => _builder.ToString();

    private void WriteIndentedLine(string line)
    {
        if (line.Length == 0)
        {
            _builder.Append('\n');
            return;
        }
        _builder.Append(' ', Indentation * IndentSize).Append(line.TrimEnd()).Append('\n');
    }
}
