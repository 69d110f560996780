using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages;

public sealed class SignInModel(ConsoleSignIn signIn) : ConsolePage
{
    public override string Section => "";

    public bool Configured => signIn.Configured;

    public string? Failure { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? key)
    {
        Failure = signIn.Check(key, Auth.AuthLockouts.Source(Request));
        if (Failure is not null)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(ConsoleSignIn.Scheme, signIn.Principal());
        // Only back into the console, never to another site.
        var back = ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) && url.StartsWith(ConsoleSetup.Prefix, StringComparison.Ordinal) ? url : ConsoleSetup.Prefix;
        return LocalRedirect(back);
    }
}
