using Workbooks.Emulator;

namespace Workbooks.Mirror.Tests.TestSupport;

/// <summary>Another user of the service: inserts, updates and deletes people and organisations, seeded, until stopped.</summary>
public sealed class Churner : IAsyncDisposable
{
    private static readonly string[] Types = ["crm/people", "crm/organisations"];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Churner(EmulatorDatabase database, int seed)
    {
        _loop = Task.Run(async () =>
        {
            var random = new Random(seed);
            while (!_stop.IsCancellationRequested)
            {
                var type = Types[random.Next(Types.Length)];
                var ids = database.Ids(type);
                var roll = random.Next(10);
                var name = $"churn {seed}-{Inserts + Updates + Deletes}";
                if (roll < 3 || ids.Count < 10)
                {
                    database.Insert(type, type == "crm/people"
                        ? new Dictionary<string, string?> { ["person_first_name"] = name, ["person_last_name"] = "Churn" }
                        : new Dictionary<string, string?> { ["name"] = name });
                    Inserts++;
                }
                else if (roll < 8)
                {
                    database.Update(type, ids[random.Next(ids.Count)], type == "crm/people"
                        ? new Dictionary<string, string?> { ["person_first_name"] = name }
                        : new Dictionary<string, string?> { ["name"] = name });
                    Updates++;
                }
                else
                {
                    database.Delete(type, ids[random.Next(ids.Count)]);
                    Deletes++;
                }
                try
                {
                    await Task.Delay(random.Next(1, 8), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public int Inserts { get; private set; }
    public int Updates { get; private set; }
    public int Deletes { get; private set; }

    public override string ToString() => $"{Inserts} inserts, {Updates} updates, {Deletes} deletes";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
