using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Junction.Core.Configuration;

/// <summary>
/// Validates options with their data annotations (and <see cref="IValidatableObject"/>), as ValidateDataAnnotations
/// does, but names each failing setting by its configuration key (<c>Junction:Quotas:EgConnections</c>), not by its C#
/// property, so that the message at start-up says what to fix where.
/// </summary>
public static class KeyedValidation
{
    public static OptionsBuilder<T> ValidateKeyed<T>(this OptionsBuilder<T> builder, string section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<T>>(new Validator<T>(builder.Name, section));
        return builder;
    }

    private sealed class Validator<T>(string? name, string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var results = new List<ValidationResult>();
            if (System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            return ValidateOptionsResult.Fail(results.Select(r =>
            {
                var message = r.ErrorMessage ?? "is not valid";
                var key = r.MemberNames.FirstOrDefault() is { } member ? $"{section}:{member}" : null;
                return key is null || message.Contains(key, StringComparison.Ordinal) ? message : $"{key}: {message}";
            }));
        }
    }
}
