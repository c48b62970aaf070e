using System.Reflection;
using SegAlign.Platform;

namespace SegAlign.Tests.Platform;

/// <summary>The stock .NET Interactive kernel has FSharp.Core 10.0 loaded; Plotly.NET asks for 10.1.</summary>
public sealed class FSharpCoreBindingTests
{
    static Assembly LoadedFSharpCore => typeof(Microsoft.FSharp.Core.FSharpOption<int>).Assembly;

    [Fact]
    public void A_request_for_a_newer_FSharp_Core_of_the_same_major_version_gets_the_loaded_one()
    {
        var loaded = LoadedFSharpCore.GetName().Version!;
        var newer = new AssemblyName($"FSharp.Core, Version={loaded.Major}.{loaded.Minor + 1}.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a");

        Assert.Same(LoadedFSharpCore, FSharpCoreBinding.Resolve(newer));
    }

    [Fact]
    public void Another_major_version_or_another_assembly_is_left_to_fail_as_before()
    {
        var loaded = LoadedFSharpCore.GetName().Version!;

        Assert.Null(FSharpCoreBinding.Resolve(new AssemblyName($"FSharp.Core, Version={loaded.Major + 1}.0.0.0")));
        Assert.Null(FSharpCoreBinding.Resolve(new AssemblyName($"FSharp.Data, Version={loaded}")));
    }
}
