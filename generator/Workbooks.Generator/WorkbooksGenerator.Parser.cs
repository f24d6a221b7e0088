using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Workbooks.Generator.Diagnostics;
using Workbooks.Generator.Helpers;
using Workbooks.Generator.Model;

namespace Workbooks.Generator;

public sealed partial class WorkbooksGenerator
{
    /// <summary>
    /// Schema JSON → <see cref="SchemaSpec"/> + diagnostics. Pure: the same input always gives an equal result, and
    /// nothing in the result refers to Roslyn objects. Names are resolved here, so the emitter only writes text.
    /// </summary>
    internal sealed class Parser
    {
        internal static readonly Dictionary<string, FieldKind> s_datatypes = new(StringComparer.Ordinal)
        {
            ["string"] = FieldKind.Text,
            ["text"] = FieldKind.Text,
            ["uri"] = FieldKind.Text,
            ["breadcrumb"] = FieldKind.Text,
            ["picklist_data"] = FieldKind.Text,
            ["picklist_url"] = FieldKind.Text,
            ["binary"] = FieldKind.Binary,
            ["icon_class"] = FieldKind.ReadOnlyText,
            ["time_duration"] = FieldKind.ReadOnlyText,
            ["time_interval"] = FieldKind.ReadOnlyText,
            ["time_relative"] = FieldKind.ReadOnlyText,
            ["tag_array"] = FieldKind.Tags,
            ["array"] = FieldKind.Array,
            ["integer"] = FieldKind.Int64,
            ["has_one"] = FieldKind.Int64,
            ["float"] = FieldKind.Double,
            ["decimal"] = FieldKind.Decimal,
            ["currency"] = FieldKind.Currency,
            ["boolean"] = FieldKind.Boolean,
            ["date"] = FieldKind.Date,
            ["datetime"] = FieldKind.DateTime,
            ["time"] = FieldKind.Time,
        };

        // file_upload fields are write-only (the service never returns them): no property, no filter member.
        private const string FileUploadDatatype = "file_upload";

        private static readonly string[] s_objectMembers = ["Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals"];
        private static readonly string[] s_entityMembers = ["Record", "Id", "LockVersion", "ChangedFields", "Root", "Shape", "Reader"];

        private readonly SchemaInput _input;
        private readonly CancellationToken _cancellationToken;
        private readonly List<DiagnosticInfo> _diagnostics = [];
        private readonly int[] _lineStarts;
        private HashSet<string> _typeNames = new(StringComparer.Ordinal);

        private Parser(SchemaInput input, CancellationToken cancellationToken)
        {
            _input = input;
            _cancellationToken = cancellationToken;
            _lineStarts = ComputeLineStarts(input.Text);
        }

        public static SchemaParseResult Parse(SchemaInput input, CancellationToken cancellationToken)
        {
            var parser = new Parser(input, cancellationToken);
            var schema = parser.ParseSchema();
            return new SchemaParseResult(schema, parser._diagnostics.ToEquatableArray());
        }

        private static readonly SchemaSpec s_empty = new(null, EquatableArray<RecordTypeSpec>.Empty);

        private SchemaSpec ParseSchema()
        {
            if (!_input.Readable)
            {
                Report(DiagnosticDescriptors.SchemaFileNotFound, new TextSpan(0, 0), _input.FilePath);
                return s_empty;
            }
            var root = JsonReader.Parse(_input.Text, out var error);
            if (root is null)
            {
                var position = Math.Min(error!.Position, _input.Text.Length);
                var length = position < _input.Text.Length ? 1 : 0;
                Report(DiagnosticDescriptors.MalformedJson, new TextSpan(position, length), error.Message);
                return s_empty;
            }

            JsonArray? data;
            switch (root)
            {
                case JsonArray array:
                    data = array;
                    break;
                case JsonObject envelope:
                    data = envelope.Get("data") as JsonArray;
                    if (data is null)
                    {
                        Report(DiagnosticDescriptors.WrongShape, HeadSpan(envelope.Get("data") ?? envelope), "'data' is missing or not an array");
                        return s_empty;
                    }
                    ReadPicklists(envelope.Get("picklists"));
                    break;
                default:
                    Report(DiagnosticDescriptors.WrongShape, HeadSpan(root), "the root must be an object with a 'data' array, or an array of record types");
                    return s_empty;
            }

            if (data.Items.Count == 0)
            {
                Report(DiagnosticDescriptors.NoRecordTypes, HeadSpan(data));
                return new SchemaSpec(BuildClient([]), EquatableArray<RecordTypeSpec>.Empty);
            }

            var types = new List<RawType>();
            foreach (var item in data.Items)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (ReadType(item) is { } type)
                    types.Add(type);
            }

            // Ordinal order of class_name (stable for duplicates) makes every later choice deterministic.
            types = [.. types.Select((t, i) => (t, i)).OrderBy(x => x.t.ClassName, StringComparer.Ordinal).ThenBy(x => x.i).Select(x => x.t)];
            AssignClassNames(types);

            var included = FilterTypes(types);
            var targets = new Dictionary<string, RawType>(StringComparer.Ordinal);
            foreach (var type in included)
            {
                if (!targets.ContainsKey(type.ClassName))
                    targets.Add(type.ClassName, type);
            }

            // Record classes and their filter shapes own the namespace; related-attribute classes must avoid them.
            _typeNames = new HashSet<string>(types.SelectMany(t => new[] { t.CsName, t.CsName + "Fields", t.CsName + "Related" }), StringComparer.Ordinal);
            var specs = new List<RecordTypeSpec>();
            foreach (var type in included)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                specs.Add(BuildRecordType(type, targets));
            }
            return new SchemaSpec(BuildClient(included), specs.ToEquatableArray());
        }

        /// <summary>
        /// The snapshot's extension <c>"picklists": [{ "picklist_id": 1, "name": "Industries", "entries": ["…", …] }]</c>
        /// (written by <c>workbooks schema pull --picklists</c>): the entries of the picklists the fields use.
        /// </summary>
        private void ReadPicklists(JsonNode? node)
        {
            if (node is null or JsonLiteral { Kind: JsonLiteralKind.Null })
                return;
            if (node is not JsonArray array)
            {
                Report(DiagnosticDescriptors.WrongShape, HeadSpan(node), "'picklists' must be an array");
                return;
            }
            foreach (var item in array.Items)
            {
                if (item is not JsonObject picklist
                    || picklist.Get("picklist_id") is not JsonNumber { } idNode
                    || !int.TryParse(idNode.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                    || picklist.GetString("name") is not { Length: > 0 } name
                    || picklist.Get("entries") is not JsonArray entries)
                {
                    Report(DiagnosticDescriptors.WrongShape, HeadSpan(item), "a picklist must be an object with a whole-number 'picklist_id', a 'name' and an 'entries' array of strings");
                    continue;
                }
                var values = entries.Items.OfType<JsonString>().Select(e => e.Value).Distinct(StringComparer.Ordinal).ToList();
                _picklists[id] = (name, values);
            }
        }

        private readonly Dictionary<int, (string Name, List<string> Entries)> _picklists = [];
        private readonly Dictionary<int, string> _picklistTypeNames = [];

        /// <summary>The generated value type of a field's picklist, when its entries were captured and it stores the entry's text.</summary>
        private string? PicklistTypeOf(RawField field)
        {
            if (field.PicklistId is not { } id || field.Kind != FieldKind.Text || !_picklists.TryGetValue(id, out var picklist))
                return null;
            if (!_picklistTypeNames.TryGetValue(id, out var name))
            {
                var scope = new NameScope(_typeNames!.Concat(_picklistTypeNames.Values).Concat(RuntimeTypeNames));
                _picklistTypeNames[id] = name = scope.Claim(Naming.ToPascalCase(picklist.Name) + "Picklist");
            }
            return name;
        }

        private EquatableArray<PicklistSpec> BuildPicklists() =>
            _picklistTypeNames.OrderBy(p => p.Value, StringComparer.Ordinal).Select(p =>
            {
                var (name, entries) = _picklists[p.Key];
                var members = new NameScope(["Value", "Known", "IsKnown", "ToString", "Equals", "GetHashCode", "GetType", "Deconstruct", p.Value]);
                var specs = entries.Select(e => new PicklistEntrySpec(members.Claim(Naming.ToPascalCase(e)), e)).ToEquatableArray();
                return new PicklistSpec(p.Value, name, p.Key, specs);
            }).ToEquatableArray();

        private RawType? ReadType(JsonNode item)
        {
            if (item is not JsonObject node)
            {
                Report(DiagnosticDescriptors.WrongShape, HeadSpan(item), "a record type must be an object");
                return null;
            }
            var className = node.GetString("class_name");
            if (string.IsNullOrEmpty(className))
            {
                Report(DiagnosticDescriptors.MissingRecordTypeKey, HeadSpan(node), "class_name");
                return null;
            }
            var controllerPath = node.GetString("controller_path");
            if (string.IsNullOrEmpty(controllerPath))
            {
                Report(DiagnosticDescriptors.MissingRecordTypeKey, HeadSpan(node), "controller_path");
                return null;
            }

            var type = new RawType(node, className!, controllerPath!)
            {
                HumanName = node.GetString("human_class_name"),
                Plural = node.GetString("human_class_name_plural"),
                Description = node.GetString("human_class_description"),
                HelpUrl = node.GetString("help_url"),
            };

            foreach (var fieldNode in Items(node, "fields", "record type fields"))
            {
                if (ReadField(type, fieldNode) is { } field)
                {
                    if (type.Fields.Any(f => f.Name == field.Name))
                        Report(DiagnosticDescriptors.DuplicateField, field.NameNode, field.Name, type.ClassName);
                    else
                        type.Fields.Add(field);
                }
            }

            foreach (var associationNode in Items(node, "associations", "record type associations"))
            {
                if (associationNode is not JsonObject association)
                {
                    Report(DiagnosticDescriptors.WrongShape, HeadSpan(associationNode), "an association must be an object");
                    continue;
                }
                if (association.GetString("name") is not { Length: > 0 } name)
                    continue;
                var classNames = (association.Get("class_names") as JsonArray)?.Items.OfType<JsonString>().Select(s => s.Value).ToList() ?? [];
                type.Associations.Add(new RawAssociation(
                    name,
                    association.Get("name")!,
                    association.GetString("datatype") ?? "",
                    association.GetBoolean("polymorphic", fallback: false),
                    classNames,
                    association.GetString("title"),
                    association.GetString("description"),
                    association.GetString("foreign_key_name")));
            }
            return type;
        }

        private IEnumerable<JsonNode> Items(JsonObject node, string key, string what)
        {
            switch (node.Get(key))
            {
                case null:
                case JsonLiteral { Kind: JsonLiteralKind.Null }:
                    return [];
                case JsonArray array:
                    return array.Items;
                case var other:
                    Report(DiagnosticDescriptors.WrongShape, HeadSpan(other), $"'{key}' ({what}) must be an array");
                    return [];
            }
        }

        private RawField? ReadField(RawType type, JsonNode item)
        {
            if (item is not JsonObject node)
            {
                Report(DiagnosticDescriptors.WrongShape, HeadSpan(item), "a field must be an object");
                return null;
            }
            if (node.Get("name") is not JsonString { Value.Length: > 0 } nameNode)
            {
                Report(DiagnosticDescriptors.WrongShape, HeadSpan(node.Get("name") ?? node), "a field must have a non-empty string 'name'");
                return null;
            }
            var name = nameNode.Value;
            // _can_* are permission flags, not data.
            if (name.StartsWith("_can_", StringComparison.Ordinal))
                return null;
            var datatypeNode = node.Get("datatype");
            var datatype = (datatypeNode as JsonString)?.Value ?? "";
            if (datatype == FileUploadDatatype)
                return null;
            if (!s_datatypes.TryGetValue(datatype, out var kind))
            {
                Report(DiagnosticDescriptors.UnknownDatatype, datatypeNode ?? nameNode, name, type.ClassName, datatype);
                kind = FieldKind.Unknown;
            }
            return new RawField(name, nameNode, datatype, kind, SplitPath(name))
            {
                Title = node.GetString("title"),
                IsCreateable = node.GetBoolean("is_createable", fallback: false),
                IsUpdateable = node.GetBoolean("is_updateable", fallback: false),
                IsFilterable = node.GetBoolean("is_filterable", fallback: false),
                IsRequired = node.GetBoolean("required", fallback: false),
                // A picklist whose stored value is the entry's text (value_field "value"); id-valued ones stay as they are.
                PicklistId = node.Get("picklist") is JsonObject picklist
                    && (picklist.GetString("value_field") ?? "value") == "value"
                    && picklist.Get("picklist_id") is JsonNumber { } pid
                    && int.TryParse(pid.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                    ? parsed : null,
            };
        }

        /// <summary><c>a[b[c]]</c> → a, b, c; anything not of that form is one plain name. Iterative: names are data.</summary>
        private const int MaxPathDepth = 16;

        internal static string[] SplitPath(string name)
        {
            var segments = new List<string>();
            var rest = name;
            while (true)
            {
                var open = rest.IndexOf('[');
                if (open <= 0 || rest[rest.Length - 1] != ']' || open == rest.Length - 2)
                    break;
                // Real schemas nest two or three levels; an absurd depth is kept as one plain name.
                if (segments.Count == MaxPathDepth)
                    return [name];
                segments.Add(rest.Substring(0, open));
                rest = rest.Substring(open + 1, rest.Length - open - 2);
            }
            segments.Add(rest);
            return [.. segments];
        }

        /// <summary>
        /// Record class = PascalCase of the last <c>::</c> segment; types whose names collide all get their module
        /// prefixed (<c>CrmPerson</c>); anything still colliding is numbered and reported.
        /// </summary>
        private void AssignClassNames(List<RawType> types)
        {
            var lastSegments = types.Select(t => Naming.ToPascalCase(LastSegment(t.ClassName))).ToList();
            var counts = lastSegments.GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var scope = new NameScope([_input.Options.ClientName]);
            for (var i = 0; i < types.Count; i++)
            {
                var wanted = lastSegments[i];
                if (counts[wanted] > 1 || ImplicitlyImportedTypeNames.Contains(wanted) || RuntimeTypeNames.Contains(wanted))
                    wanted = Naming.ToPascalCase(ModuleSegment(types[i].ClassName) + "_" + LastSegment(types[i].ClassName));
                types[i].CsName = ClaimReported(scope, wanted, types[i].ClassName, "the generated types", types[i].Node.Get("class_name")!);
            }
        }

        /// <summary>
        /// Types of the namespaces every SDK project imports implicitly (System, System.Collections.Generic, System.IO,
        /// System.Linq, System.Net.Http, System.Threading, System.Threading.Tasks). A record class with one of these names
        /// (<c>Private::Activity::Task</c> → <c>Task</c>) would make the consumer's own code ambiguous, so it gets its
        /// module prefix instead (<c>ActivityTask</c>).
        /// </summary>
        private static readonly HashSet<string> ImplicitlyImportedTypeNames = new(StringComparer.Ordinal)
        {
            "Action", "Activator", "Array", "Attribute", "Buffer", "Console", "Convert", "DateTime", "Delegate", "Directory",
            "Enum", "Environment", "Exception", "File", "Func", "GC", "Guid", "HttpClient", "Index", "Lazy", "List", "Lock",
            "Math", "Monitor", "Object", "Path", "Random", "Range", "Stream", "String", "Task", "Thread", "Timer", "TimeZone",
            "Tuple", "Type", "Uri", "Version", "Volatile",
        };

        /// <summary>
        /// The public types of the runtime (Workbooks.Runtime's namespaces, which a consumer imports next to its generated
        /// one): a record class with one of these names (<c>Private::PicklistEntry</c> → <c>PicklistEntry</c>) would make
        /// <c>using Workbooks; using Acme.Crm;</c> ambiguous, so it gets its module prefix too. A test holds this list to
        /// the runtime assembly's public types.
        /// </summary>
        internal static readonly HashSet<string> RuntimeTypeNames = new(StringComparer.Ordinal)
        {
            "BooleanField", "ChangeKind", "ChangeMessage", "ChangeOutcome", "ChangeResult", "ChangeSetOptions",
            "ChangeSetResult", "CurrencyField", "CurrencyModifyFlags", "DateField", "DateTimeField", "DayField", "DeltaCursor",
            "DeltaPosition", "DeltaVersion", "FieldPath", "FilterField", "FilterOperator", "FilterWireForm", "FoundRecords",
            "IWorkbooksField", "IdRange", "LoginDatabase", "LoginFailureReason", "NumberField", "ParallelReadCursor", "ParallelReadPosition",
            "IPicklistValue", "PdfResult", "PdfTemplate", "PicklistEntry", "PicklistField", "UnitOfWorkResult", "UnitOfWorkStep", "WorkbooksProjection", "WorkbooksUnitOfWork",
            "RecordFields", "RecordReader", "RecordShape", "SchemaDriftReport", "StringField", "TimeField", "WorkbooksAuthentication", "WorkbooksChangeSet",
            "WorkbooksChangeSetException", "WorkbooksConcurrencyException", "WorkbooksCurrency", "WorkbooksDatabaseSelectionRequiredException",
            "WorkbooksEndpoint", "WorkbooksEntity", "WorkbooksException", "WorkbooksField", "WorkbooksFilter", "WorkbooksLoginException",
            "WorkbooksNotFoundException", "WorkbooksOptions", "WorkbooksProtocolException", "WorkbooksQuery", "WorkbooksRateLimitException",
            "WorkbooksRecord", "WorkbooksRequest", "WorkbooksRequestException", "WorkbooksRequestKind", "WorkbooksResponse",
            "WorkbooksServiceException", "WorkbooksSession", "WorkbooksSessionException", "WorkbooksTransportException",
        };

        private static string LastSegment(string className)
        {
            var index = className.LastIndexOf("::", StringComparison.Ordinal);
            return index < 0 ? className : className.Substring(index + 2);
        }

        private static readonly string[] s_moduleSeparator = ["::"];

        /// <summary>The module of a class name: <c>Private::Crm::Person</c> → Crm, <c>Private::Note</c> → Private.</summary>
        private static string ModuleSegment(string className)
        {
            var segments = className.Split(s_moduleSeparator, StringSplitOptions.None)
                .Where(s => s.Length > 0).ToArray();
            return segments.Length >= 2 ? string.Join("_", segments.Skip(segments.Length > 2 ? 1 : 0).Take(segments.Length - (segments.Length > 2 ? 2 : 1))) : "";
        }

        private List<RawType> FilterTypes(List<RawType> types)
        {
            var include = _input.Options.IncludeTypes;
            var exclude = _input.Options.ExcludeTypes;
            foreach (var entry in include)
            {
                if (!types.Any(t => Matches(t, entry)))
                    Report(DiagnosticDescriptors.IncludeMatchesNothing, new TextSpan(0, 0), entry);
            }
            return [.. types.Where(t => (include.Count == 0 || include.Any(e => Matches(t, e))) && !exclude.Any(e => Matches(t, e)))];
        }

        /// <summary>An include/exclude entry names a type by class_name, generated class name or (PascalCase) plural.</summary>
        private static bool Matches(RawType type, string entry) =>
            string.Equals(entry, type.ClassName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(entry, type.CsName, StringComparison.OrdinalIgnoreCase)
            || (type.Plural is { } plural
                && (string.Equals(entry, plural, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(entry, Naming.ToPascalCase(plural), StringComparison.OrdinalIgnoreCase)));

        private ClientSpec BuildClient(List<RawType> types)
        {
            var options = _input.Options;
            var scope = new NameScope([options.ClientName, "Session", "CheckSchemaDriftAsync", "UnitOfWork", .. s_objectMembers]);
            var endpoints = new List<EndpointSpec>();
            foreach (var type in types)
            {
                var plural = type.Plural is { Length: > 0 } p ? p : type.CsName;
                var pluralNode = type.Node.Get("human_class_name_plural") ?? type.Node.Get("class_name")!;
                var name = ClaimReported(scope, Naming.ToPascalCase(plural), plural, options.ClientName, pluralNode);
                var doc = Naming.EscapeXml(plural)
                    + (type.Description is { Length: > 0 } d ? ": " + Naming.EscapeXml(d) : "")
                    + " (<c>" + Naming.EscapeXml(type.ControllerPath) + "</c>).";
                endpoints.Add(new EndpointSpec(name, type.CsName, type.CsName + "Fields", type.ControllerPath, doc,
                    type.ClassName, type.Fields.Select(f => new SnapshotField(f.Name, f.Datatype)).ToEquatableArray()));
            }
            return new ClientSpec(_input.FilePath, options.Namespace, options.ClientName, FileName(_input.FilePath), endpoints.ToEquatableArray(), BuildPicklists());
        }

        private RecordTypeSpec BuildRecordType(RawType type, Dictionary<string, RawType> targets)
        {
            var tree = new PathNode();
            foreach (var field in type.Fields.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                var node = tree;
                for (var i = 0; i < field.Path.Length - 1; i++)
                {
                    if (!node.Children.TryGetValue(field.Path[i], out var child))
                        node.Children.Add(field.Path[i], child = new PathNode());
                    node = child;
                }
                node.Fields.Add(field);
            }

            var root = BuildScope(type, tree, type.CsName, isRoot: true, targets);
            var doc = Naming.EscapeXml(type.HumanName is { Length: > 0 } h ? h : type.CsName)
                + (type.Description is { Length: > 0 } d ? ": " + Naming.EscapeXml(d) : "")
                + " (<c>" + Naming.EscapeXml(type.ClassName) + "</c>, <c>" + Naming.EscapeXml(type.ControllerPath) + "</c>).";
            // The namespace is part of the hint name: several schemas may share a client name in different namespaces.
            var hintName = (_input.Options.Namespace + "." + _input.Options.ClientName + "." + type.CsName).Replace("@", "") + ".g.cs";
            return new RecordTypeSpec(_input.FilePath, _input.Options.Namespace, hintName, type.CsName, doc, type.HelpUrl, root);
        }

        /// <summary>
        /// Names one class's members in a fixed order — related-attribute groups, then fields, then navigations, each
        /// in ordinal order — so renames are deterministic. A plain field whose name equals a group's (the has_one
        /// <c>main_location</c> next to <c>main_location[…]</c>) is named with a <c>Link</c> suffix
        /// (<c>MainLocationLink</c>) by rule; only collisions that remain are numbered and reported.
        /// </summary>
        private ScopeSpec BuildScope(RawType type, PathNode node, string className, bool isRoot, Dictionary<string, RawType> targets)
        {
            var fieldsClassName = className + "Fields";
            var reserved = new List<string> { className, fieldsClassName };
            reserved.AddRange(s_objectMembers);
            if (isRoot)
                reserved.AddRange(s_entityMembers);
            var scope = new NameScope(reserved);

            var groups = new List<GroupSpec>();
            var groupNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pair in node.Children.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var anchor = FirstField(pair.Value).NameNode;
                var name = ClaimReported(scope, Naming.ToPascalCase(pair.Key), pair.Key, className, anchor);
                groupNames.Add(name);
                var association = isRoot ? type.Associations.FirstOrDefault(a => a.Name == pair.Key) : null;
                var doc = association is { Title.Length: > 0 }
                    ? Naming.EscapeXml(association.Title!) + (association.Description is { Length: > 0 } d ? ": " + Naming.EscapeXml(d) : "") + " (related attributes <c>" + Naming.EscapeXml(pair.Key) + "[…]</c>)."
                    : "Related attributes <c>" + Naming.EscapeXml(pair.Key) + "[…]</c>.";
                // PersonMainLocation; CaseQueueAttributes when Case's queue[…] would clash with the CaseQueue record type.
                var groupClassName = className + name;
                if (_typeNames.Contains(groupClassName) || _typeNames.Contains(groupClassName + "Fields"))
                    groupClassName += "Attributes";
                groups.Add(new GroupSpec(name, doc, BuildScope(type, pair.Value, groupClassName, isRoot: false, targets)));
            }

            var fields = new List<FieldSpec>();
            foreach (var field in node.Fields)
            {
                var isBaseMember = isRoot && field.Name is "id" or "lock_version";
                string name;
                if (isBaseMember)
                {
                    name = field.Name == "id" ? "Id" : "LockVersion";
                }
                else
                {
                    var wanted = Naming.ToPascalCase(field.Path[field.Path.Length - 1]);
                    if (groupNames.Contains(wanted))
                        wanted += "Link";
                    name = ClaimReported(scope, wanted, field.Name, className, field.NameNode);
                }
                var written = field.Kind != FieldKind.ReadOnlyText;
                fields.Add(new FieldSpec(name, field.Name, FieldDoc(field), field.Kind, written && field.IsCreateable, written && field.IsUpdateable,
                    field.IsFilterable, isBaseMember, PicklistTypeOf(field)));
            }

            var navigations = new List<AssociationSpec>();
            if (isRoot)
            {
                foreach (var association in type.Associations.OrderBy(a => a.Name, StringComparer.Ordinal))
                {
                    if (association.Datatype != "belongs_to" || association.Polymorphic || association.ClassNames.Count != 1
                        || !targets.TryGetValue(association.ClassNames[0], out var target))
                        continue;
                    var wanted = Naming.ToPascalCase(association.Name);
                    // Related attributes of the same name already expose what the schema lists for that association.
                    if (groupNames.Contains(wanted))
                        continue;
                    var name = ClaimReported(scope, wanted, association.Name, className, association.NameNode);
                    var doc = Naming.EscapeXml(association.Title is { Length: > 0 } t ? t : association.Name)
                        + (association.Description is { Length: > 0 } d ? ": " + Naming.EscapeXml(d) : "")
                        + " (<c>" + Naming.EscapeXml(association.Name) + "[…]</c>, " + Naming.EscapeXml(target.CsName) + ").";
                    // The link field a create or update sets to the related record's id (employer → employer_link).
                    var link = association.ForeignKeyName is { Length: > 0 } fk
                        ? fields.FirstOrDefault(f => f.WireName == fk && (f.IsCreateable || f.IsUpdateable))?.WireName
                        : null;
                    navigations.Add(new AssociationSpec(name, association.Name, target.CsName, doc, link));
                }
            }

            return new ScopeSpec(className, fieldsClassName, fields.ToEquatableArray(), groups.ToEquatableArray(), navigations.ToEquatableArray());
        }

        private static RawField FirstField(PathNode node) =>
            node.Fields.Count > 0 ? node.Fields[0] : FirstField(node.Children.OrderBy(p => p.Key, StringComparer.Ordinal).First().Value);

        private static string FieldDoc(RawField field)
        {
            var title = field.Title is { Length: > 0 } t ? t : field.Name;
            return Naming.EscapeXml(title) + " (<c>" + Naming.EscapeXml(field.Name) + "</c>, " + Naming.EscapeXml(field.Datatype.Length > 0 ? field.Datatype : "no datatype")
                + (field.IsRequired ? ", required" : "") + ").";
        }

        private string ClaimReported(NameScope scope, string wanted, string source, string where, JsonNode anchor)
        {
            var given = scope.Claim(wanted);
            if (given != wanted)
                Report(DiagnosticDescriptors.NameCollision, anchor, source, wanted, where, given);
            return given;
        }

        private static string FileName(string path)
        {
            var index = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            return index < 0 ? path : path.Substring(index + 1);
        }

        /// <summary>Containers are reported at their opening bracket, scalars over their whole token.</summary>
        private static TextSpan HeadSpan(JsonNode node) =>
            node is JsonObject or JsonArray ? new TextSpan(node.Start, 1) : TextSpan.FromBounds(node.Start, node.End);

        private void Report(DiagnosticDescriptor descriptor, JsonNode node, params string[] arguments) =>
            Report(descriptor, HeadSpan(node), arguments);

        private void Report(DiagnosticDescriptor descriptor, TextSpan span, params string[] arguments) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, _input.FilePath, span, new LinePositionSpan(ToLinePosition(span.Start), ToLinePosition(span.End)), arguments));

        private LinePosition ToLinePosition(int position)
        {
            var line = Array.BinarySearch(_lineStarts, position);
            if (line < 0)
                line = ~line - 1;
            return new LinePosition(line, position - _lineStarts[line]);
        }

        private static int[] ComputeLineStarts(string text)
        {
            var starts = new List<int> { 0 };
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    i++;
                if (text[i] is '\n' or '\r')
                    starts.Add(i + 1);
            }
            return [.. starts];
        }

        private sealed class PathNode
        {
            public Dictionary<string, PathNode> Children { get; } = new(StringComparer.Ordinal);

            public List<RawField> Fields { get; } = [];
        }

        private sealed class RawType(JsonObject node, string className, string controllerPath)
        {
            public JsonObject Node { get; } = node;

            public string ClassName { get; } = className;

            public string ControllerPath { get; } = controllerPath;

            public string? HumanName { get; init; }

            public string? Plural { get; init; }

            public string? Description { get; init; }

            public string? HelpUrl { get; init; }

            public string CsName { get; set; } = "";

            public List<RawField> Fields { get; } = [];

            public List<RawAssociation> Associations { get; } = [];
        }

        private sealed class RawField(string name, JsonString nameNode, string datatype, FieldKind kind, string[] path)
        {
            public string Name { get; } = name;

            public JsonString NameNode { get; } = nameNode;

            public string Datatype { get; } = datatype;

            public FieldKind Kind { get; } = kind;

            public string[] Path { get; } = path;

            public string? Title { get; init; }

            public bool IsCreateable { get; init; }

            public bool IsUpdateable { get; init; }

            public bool IsFilterable { get; init; }

            public bool IsRequired { get; init; }

            public int? PicklistId { get; init; }
        }

        private sealed record RawAssociation(
            string Name,
            JsonNode NameNode,
            string Datatype,
            bool Polymorphic,
            List<string> ClassNames,
            string? Title,
            string? Description,
            string? ForeignKeyName);
    }
}
