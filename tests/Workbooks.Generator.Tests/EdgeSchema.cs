namespace Workbooks.Generator.Tests;

/// <summary>A hand-written schema that hits the naming and mapping corner cases.</summary>
internal static class EdgeSchema
{
    public const string Text = """
        {
          "data": [
            {
              "associations": [
                { "class_names": ["Private::Edge::Gadget"], "datatype": "belongs_to", "name": "owner", "polymorphic": false, "title": "Owner", "description": "The owning gadget" },
                { "class_names": ["Private::Edge::Gadget", "Private::Other::Gadget"], "datatype": "belongs_to", "name": "anything", "polymorphic": true, "title": "Anything" },
                { "class_names": ["Private::Crm::PartyLocation"], "datatype": "has_one", "name": "main_location", "polymorphic": false, "title": "Main Location", "description": "Main contact details" }
              ],
              "class_name": "Private::Edge::Widget",
              "controller_path": "edge/widgets",
              "help_url": "https://example.com/help?a=1&b=2",
              "human_class_description": "Widgets <with> markup & ampersands",
              "human_class_name": "Widget",
              "human_class_name_plural": "Widgets",
              "fields": [
                { "name": "id", "datatype": "integer", "is_createable": false, "is_updateable": false, "is_filterable": true, "title": "ID" },
                { "name": "lock_version", "datatype": "integer", "is_createable": false, "is_updateable": false, "is_filterable": true, "title": "Lock version" },
                { "name": "class", "datatype": "string", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Class", "required": true },
                { "name": "2fa_code", "datatype": "string", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "2FA code" },
                { "name": "widget", "datatype": "string", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Widget name" },
                { "name": "record", "datatype": "string", "is_createable": true, "is_updateable": false, "is_filterable": true, "title": "Record" },
                { "name": "first_name", "datatype": "string", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "First name" },
                { "name": "first-name", "datatype": "string", "is_createable": true, "is_updateable": true, "is_filterable": false, "title": "First name (legacy)" },
                { "name": "main_location", "datatype": "has_one", "is_createable": false, "is_updateable": true, "is_filterable": false, "title": "Main location" },
                { "name": "main_location[email]", "datatype": "string", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Email" },
                { "name": "org_lead_party[main_location[email]]", "datatype": "string", "is_createable": false, "is_updateable": false, "is_filterable": true, "title": "Lead email" },
                { "name": "org_lead_party[name]", "datatype": "string", "is_createable": false, "is_updateable": false, "is_filterable": false, "title": "Lead name" },
                { "name": "mystery", "datatype": "hologram", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Mystery" },
                { "name": "name", "datatype": "string", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Name" },
                { "name": "name", "datatype": "integer", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Name again" },
                { "name": "updated_at", "datatype": "datetime", "is_createable": false, "is_updateable": false, "is_filterable": true, "title": "Updated" },
                { "name": "duration", "datatype": "time_duration", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Duration" },
                { "name": "attachment", "datatype": "file_upload", "is_createable": true, "is_updateable": true, "is_filterable": false, "title": "Attachment" },
                { "name": "_can_delete", "datatype": "boolean", "is_createable": false, "is_updateable": false, "is_filterable": false, "title": "Can delete" },
                { "name": "tags", "datatype": "tag_array", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Tags" },
                { "name": "codes", "datatype": "array", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Codes" },
                { "name": "price", "datatype": "currency", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Price" },
                { "name": "weight", "datatype": "float", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Weight" },
                { "name": "amount", "datatype": "decimal", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Amount" },
                { "name": "starts_on", "datatype": "date", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Starts on" },
                { "name": "opens_at", "datatype": "time", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Opens at" },
                { "name": "active", "datatype": "boolean", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Active" },
                { "name": "secret", "datatype": "binary", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Secret" },
                { "name": "owner_id", "datatype": "integer", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Owner" }
              ]
            },
            {
              "associations": [],
              "class_name": "Private::Edge::Gadget",
              "controller_path": "edge/gadgets",
              "human_class_description": "Gadgets of the edge module",
              "human_class_name": "Gadget",
              "human_class_name_plural": "Gadgets",
              "fields": [
                { "name": "id", "datatype": "integer", "is_createable": false, "is_updateable": false, "is_filterable": true, "title": "ID" },
                { "name": "name", "datatype": "string", "is_createable": true, "is_updateable": true, "is_filterable": true, "title": "Name" }
              ]
            },
            {
              "associations": [],
              "class_name": "Private::Other::Gadget",
              "controller_path": "other/gadgets",
              "human_class_description": "Gadgets of another module",
              "human_class_name": "Gadget",
              "human_class_name_plural": "Gadgets",
              "fields": [
                { "name": "id", "datatype": "integer", "is_createable": false, "is_updateable": false, "is_filterable": true, "title": "ID" },
                { "name": "label", "datatype": "text", "is_createable": true, "is_updateable": true, "is_filterable": false, "title": "Label" }
              ]
            }
          ],
          "success": true,
          "total": 3
        }
        """;

    public const string Usage = """
        using Edge.Cases;

        namespace Consumer.App;

        internal static class EdgeUsage
        {
            public static void Use(EdgeClient client, Widget widget)
            {
                _ = client.Widgets.Where(w => (w.Owner.Name == "a" || w.OrgLeadParty.MainLocation.Email.Contains("x")) && w.Active.IsTrue()
                    && w.Weight > 1.5 && w.Amount <= 2m && w.Price > 10m && w.StartsOn.OnOrAfterToday() && w.OpensAt.Before(new System.TimeOnly(9, 0))
                    && w.Widget2 != null && w.MainLocation.Email.IsBlank() && w._2faCode.In("a", "b") && w.Id > 0);
                widget.MainLocationLink = 3;
                widget.Class = "c";
                widget.Tags = ["x"];
                widget.Codes = ["y"];
                widget.Mystery = "m";
                _ = widget.Duration;
                _ = widget.OrgLeadParty.MainLocation.Email;
                _ = client.Gadgets2.OrderBy(g => g.Id);
            }
        }
        """;
}
