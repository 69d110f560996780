using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages;

public sealed class SignOutModel : ConsolePage
{
    public override string Section => "";

    public IActionResult OnGet() => Redirect(ConsoleSetup.Prefix);

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleSignIn.Scheme);
        return Redirect(ConsoleSetup.Prefix + "/signin");
    }
}
