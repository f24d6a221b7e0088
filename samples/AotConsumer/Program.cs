// A native-AOT consumer of the generated client: a projection, a find, a unit of work. It runs against the service (or
// emulator) named by WORKBOOKS_SERVICE and WORKBOOKS_API_KEY, and prints one line per step.
using Sample.Crm;
using Workbooks;

var service = Environment.GetEnvironmentVariable("WORKBOOKS_SERVICE");
var apiKey = Environment.GetEnvironmentVariable("WORKBOOKS_API_KEY");
if (service is null || apiKey is null)
{
    Console.Error.WriteLine("Set WORKBOOKS_SERVICE and WORKBOOKS_API_KEY.");
    return 2;
}
var serviceUri = new Uri(service);
await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
{
    Service = serviceUri,
    ApiKey = apiKey,
    AllowInsecureLoopback = serviceUri.IsLoopback,
});
var crm = new SampleCrm(session);

var people = await crm.People.Where(p => p.EmployerLink > 0).OrderBy(p => p.Id).Take(3)
    .Select(p => new { p.Id, p.Name, Employer = p.Employer.Name, p.MainLocation.Email })
    .ToListAsync();
foreach (var person in people)
    Console.WriteLine($"projection: {person.Id} {person.Name} works for {person.Employer} ({person.Email})");

var found = await crm.People.FindAsync(people[0].Id);
Console.WriteLine($"find: {found?.Name} lock_version {found?.LockVersion}");

// A unit of work: an organisation and a person it employs, linked before either has an id.
var work = crm.UnitOfWork();
var company = work.Create(crm.Organisations, new Organisation { Name = "AOT Ltd" });
var employee = work.Create(crm.People, new Person { PersonFirstName = "Native", PersonLastName = "Code", Employer = company });
var result = await work.SubmitAsync();
Console.WriteLine($"unit of work: {result.Success} organisation {company.Id} person {employee.Id} employer_link {employee.EmployerLink}");
foreach (var step in result.Steps)
    Console.WriteLine($"   {step}");
return result.Success && company.Id > 0 && employee.EmployerLink == company.Id ? 0 : 1;
