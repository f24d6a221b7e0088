using System.Globalization;
using Workbooks.Emulator.Schema;

namespace Workbooks.Emulator.Faults;

/// <summary>
/// <see cref="EmulatorControl.Churn"/>: other users inserting, updating and deleting records of one type while a
/// client pages through it (after each index page of that type is read).
/// </summary>
internal sealed class ChurnSimulator(EmulatorControl control)
{
    public void AfterIndexPage(RecordTypeDef type, EmulatorDatabase database)
    {
        if (control.Churn is not { } churn || churn.ControllerPath != type.ControllerPath)
            return;
        if (database.TryStore(type.ControllerPath) is null)
            return; // the schema changed and no longer has the type
        var random = new Random(churn.Seed + (int)(database.ChangeRequestCount % 1000) + control.Requests.Count);
        var ids = database.Ids(type.ControllerPath);
        Dictionary<string, string?> Values()
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (churn.Values is { } pool)
            {
                foreach (var (field, choices) in pool)
                    values[field] = choices[random.Next(choices.Count)];
            }
            if (!values.ContainsKey("name"))
                values["name"] = string.Create(CultureInfo.InvariantCulture, $"Churned {type.HumanName} {random.Next()}");
            return values;
        }
        for (var i = 0; i < churn.DeletesPerRequest && ids.Count > 0; i++)
            database.Delete(type.ControllerPath, ids[random.Next(ids.Count)]);
        for (var i = 0; i < churn.UpdatesPerRequest && ids.Count > 0; i++)
        {
            var id = ids[random.Next(ids.Count)];
            for (var c = 0; c < churn.ChangesPerUpdate; c++)
                database.Update(type.ControllerPath, id, Values());
        }
        for (var i = 0; i < churn.InsertsPerRequest; i++)
            database.Insert(type.ControllerPath, Values());
    }
}
