using System.Text;

namespace Workbooks.Cli;

/// <summary>Reads a secret from the terminal without echoing it.</summary>
public static class SecretPrompt
{
    /// <summary>Shows <paramref name="prompt"/> on standard error and reads a line without echo. Returns null when
    /// standard input is not a terminal (redirected), so scripts fail clearly instead of hanging.</summary>
    public static string? Read(string prompt)
    {
        if (Console.IsInputRedirected)
            return null;
        Console.Error.Write(prompt);
        var secret = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
                break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0) secret.Length--;
                continue;
            }
            if (!char.IsControl(key.KeyChar))
                secret.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return secret.ToString();
    }
}
