using System.Globalization;
using System.Text.Json;

namespace Workbooks.Emulator.Engagement;

public sealed partial class EngagementEmulator
{
    private static readonly string[] FirstNames =
        ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam", "Maya", "Nikhil",
         "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf", "Zoe"];

    private static readonly string[] LastNames =
        ["Abbott", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Khan", "Lopez", "Moreau",
         "Novak", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Usman", "Varga", "Walsh", "Young", "Zhang"];

    private static readonly string[] Titles =
        ["Head of Growth", "Software Engineer", "Marketing Manager", "Founder", "Sales Director", "Product Designer", "CTO", "Recruiter"];

    private static readonly string[] Companies =
        ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adventure Works", "Proseware", "Wingtip"];

    private static readonly string[] Locations = ["London", "Berlin", "Lisbon", "New York", "Toronto", "Singapore", "Sydney", "Paris"];

    private static readonly string[] Reactions = ["LIKE", "CELEBRATE", "SUPPORT", "LOVE", "INSIGHTFUL", "FUNNY"];

    private enum TaskPhase
    {
        Pending,
        Started,
        Success,
        Failure,
    }

    private sealed record Person(int Index, string FirstName, string LastName, string ProfileUrl, string Title, string Company, string Location, string Email);

    private sealed record GeneratedEngager(string Id, string Type, string? ReactionType, string? CommentText, DateTimeOffset EngagedAt, Person Person);

    private sealed record GeneratedContact(Person Person, List<GeneratedEngager> Engagements);

    private sealed class EmulatedTask(
        string taskId, string workbookId, string activityId, string postUrl, string workspaceId, string apiKey, DateTimeOffset createdAt,
        bool comments, bool reactions, bool fails)
    {
        public string TaskId { get; } = taskId;
        public string WorkbookId { get; } = workbookId;
        public string ActivityId { get; } = activityId;
        public string PostUrl { get; } = postUrl;
        public string WorkspaceId { get; } = workspaceId;
        public string ApiKey { get; } = apiKey;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public bool Comments { get; } = comments;
        public bool Reactions { get; } = reactions;
        public bool Fails { get; } = fails;
        public IReadOnlyList<GeneratedEngager>? Engagers { get; set; }

        public DateTimeOffset CompletedAt(EngagementEmulatorOptions options) => CreatedAt + options.ExtractionDuration;

        public bool IsCompleted(DateTimeOffset now, EngagementEmulatorOptions options) => now >= CompletedAt(options);

        public TaskPhase Phase(DateTimeOffset now, EngagementEmulatorOptions options)
        {
            if (now >= CompletedAt(options))
                return Fails ? TaskPhase.Failure : TaskPhase.Success;
            return now < CreatedAt + options.QueueDelay ? TaskPhase.Pending : TaskPhase.Started;
        }
    }

    // Deterministic from the post's activity id: the same post always has the same people and interactions. About a third
    // of the interactions come from people who already engaged, so contacts are fewer than engagers.
    private IReadOnlyList<GeneratedEngager> Engagers(EmulatedTask task)
    {
        lock (_lock)
        {
            if (task.Engagers is { } cached)
                return cached;
        }
        var count = Options.EngagersByPostId.TryGetValue(task.ActivityId, out var configured) ? configured : Options.EngagersPerPost;
        var seed = Fnv(task.ActivityId);
        var random = new Random(unchecked((int)seed));
        var peopleCount = Math.Max(1, count * 2 / 3);
        var people = new Dictionary<int, Person>();
        var start = task.CreatedAt - TimeSpan.FromDays(2);
        var list = new List<GeneratedEngager>(count);
        for (var i = 0; i < count; i++)
        {
            var personIndex = i < peopleCount ? i : random.Next(peopleCount);
            if (!people.TryGetValue(personIndex, out var person))
                people[personIndex] = person = MakePerson(seed, personIndex);
            var isComment = random.Next(4) == 0;
            var engagedAt = start + TimeSpan.FromSeconds(random.Next(0, 2 * 24 * 3600));
            var id = string.Create(CultureInfo.InvariantCulture, $"{task.ActivityId}-{i + 1:D6}");
            var engager = isComment
                ? new GeneratedEngager(id, "comment", null, $"Great post! ({FirstNames[random.Next(FirstNames.Length)]} sent me here)", engagedAt, person)
                : new GeneratedEngager(id, "reaction", Reactions[random.Next(Reactions.Length)], null, engagedAt, person);
            if ((isComment && task.Comments) || (!isComment && task.Reactions))
                list.Add(engager);
        }
        lock (_lock)
            return task.Engagers ??= list;
    }

    private static Person MakePerson(uint postSeed, int index)
    {
        var random = new Random(unchecked((int)(postSeed ^ (uint)(index * 7919))));
        var first = FirstNames[random.Next(FirstNames.Length)];
        var last = LastNames[random.Next(LastNames.Length)];
        var slug = string.Create(CultureInfo.InvariantCulture, $"{first.ToLowerInvariant()}-{last.ToLowerInvariant()}-{postSeed & 0xFFFF:x4}{index:x5}");
        var company = Companies[random.Next(Companies.Length)];
        return new Person(index, first, last, "https://www.social.com/in/" + slug, Titles[random.Next(Titles.Length)], company,
            Locations[random.Next(Locations.Length)],
            $"{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{index.ToString(CultureInfo.InvariantCulture)}@{company.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()}.example");
    }

    private static List<GeneratedContact> Contacts(IReadOnlyList<GeneratedEngager> engagers)
    {
        var byPerson = new Dictionary<int, GeneratedContact>();
        var ordered = new List<GeneratedContact>();
        foreach (var engager in engagers)
        {
            if (!byPerson.TryGetValue(engager.Person.Index, out var contact))
            {
                byPerson[engager.Person.Index] = contact = new GeneratedContact(engager.Person, []);
                ordered.Add(contact);
            }
            contact.Engagements.Add(engager);
        }
        return ordered;
    }

    private static void WriteEngager(Utf8JsonWriter w, GeneratedEngager e)
    {
        w.WriteString("id", e.Id);
        w.WriteString("type", e.Type);
        if (e.ReactionType is not null)
            w.WriteString("reaction_type", e.ReactionType);
        if (e.CommentText is not null)
            w.WriteString("comment_text", e.CommentText);
        w.WriteString("engaged_at", Iso(e.EngagedAt));
        w.WriteString("name", e.Person.FirstName + " " + e.Person.LastName);
        w.WriteString("headline", $"{e.Person.Title} at {e.Person.Company}");
        w.WriteString("profile_url", e.Person.ProfileUrl);
    }

    private static void WriteContact(Utf8JsonWriter w, GeneratedContact c)
    {
        var p = c.Person;
        w.WriteString("id", string.Create(CultureInfo.InvariantCulture, $"contact-{Fnv(p.ProfileUrl):x8}"));
        w.WriteString("name", p.FirstName + " " + p.LastName);
        w.WriteString("first_name", p.FirstName);
        w.WriteString("last_name", p.LastName);
        w.WriteString("headline", $"{p.Title} at {p.Company}");
        w.WriteString("profile_url", p.ProfileUrl);
        w.WriteStartArray("interaction_types");
        foreach (var type in c.Engagements.Select(e => e.Type).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            w.WriteStringValue(type);
        w.WriteEndArray();
        w.WriteNumber("engagement_count", c.Engagements.Count);
        w.WriteStartObject("enrichment");
        w.WriteString("email", p.Email);
        w.WriteString("company", p.Company);
        w.WriteString("job_title", p.Title);
        w.WriteString("location", p.Location);
        w.WriteEndObject();
    }
}
