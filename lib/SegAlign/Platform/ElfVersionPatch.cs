// Makes libLibTorchSharp.so (TorchSharp 0.107) load against an older libstdc++.
//
// The prebuilt library records a requirement on GLIBCXX_3.4.32 (GCC 13), but Debian 12 and
// Ubuntu 22.04 ship GLIBCXX_3.4.30. The only symbol bound to that version is
// _ZSt21ios_base_library_initv, a static-initialisation hook that has no relocation in the
// library, so nothing ever looks it up. Marking that one version requirement VER_FLG_WEAK in
// .gnu.version_r lets the dynamic linker accept the library, and everything else still binds
// to versions the system has.
//
// This file is compiled twice: into the SegAlign library (diagnostics, self-repair) and, via
// MSBuild's RoslynCodeTaskFactory, into the build task that patches the build output and the
// NuGet-cache copy. It therefore sticks to netstandard2.0 APIs.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace SegAlign.Platform
{
    public enum ElfPatchOutcome { Patched, AlreadyWeak, NotRequired, Refused }

    public sealed class ElfPatchResult
    {
        public ElfPatchResult(string path, ElfPatchOutcome outcome, string detail)
        {
            Path = path; Outcome = outcome; Detail = detail;
        }
        public string Path { get; }
        public ElfPatchOutcome Outcome { get; }
        public string Detail { get; }
        public override string ToString() => Outcome + ": " + Path + " (" + Detail + ")";
    }

    public static class ElfVersionPatch
    {
        public const string TorchSharpNativeLibrary = "libLibTorchSharp.so";
        public const string MissingVersion = "GLIBCXX_3.4.32";
        public const string OnlySymbolUsingIt = "_ZSt21ios_base_library_initv";

        const uint ShtDynSym = 11, ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
        const uint ShtRela = 4, ShtRel = 9;
        const ushort VerFlgWeak = 0x2;

        /// <summary>
        /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> in <paramref name="path"/>,
        /// after checking that only <paramref name="allowedSymbols"/> use that version and none of them
        /// is relocated. Writes via a temporary file and an atomic rename. Idempotent.
        /// </summary>
        public static ElfPatchResult MakeVersionRequirementWeak(string path, string version, ICollection<string> allowedSymbols)
        {
            var elf = new Elf64(File.ReadAllBytes(path), path);
            var requirement = FindRequirement(elf, version);
            if (requirement == null) return new ElfPatchResult(path, ElfPatchOutcome.NotRequired, "does not require " + version);
            var (flagsOffset, flags, index) = requirement.Value;
            if ((flags & VerFlgWeak) != 0) return new ElfPatchResult(path, ElfPatchOutcome.AlreadyWeak, version + " is already weak");
            string? refusal = CheckOnlyUnrelocatedUsers(elf, index, allowedSymbols);
            if (refusal != null) return new ElfPatchResult(path, ElfPatchOutcome.Refused, refusal);
            WriteFlagsAtomically(path, flagsOffset, (ushort)(flags | VerFlgWeak));
            return new ElfPatchResult(path, ElfPatchOutcome.Patched, version + " requirement marked weak");
        }

        /// <summary>Sets or clears VER_FLG_WEAK on a version requirement without any safety check (tests use it to undo a patch).</summary>
        public static void SetRequirementFlags(string path, string version, bool weak)
        {
            var requirement = FindRequirement(new Elf64(File.ReadAllBytes(path), path), version)
                              ?? throw new InvalidDataException(path + " does not require " + version);
            var (flagsOffset, flags, _) = requirement;
            WriteFlagsAtomically(path, flagsOffset, (ushort)(weak ? flags | VerFlgWeak : flags & ~VerFlgWeak));
        }

        // Walks .gnu.version_r (Elf64_Verneed entries, each with Elf64_Vernaux entries) to the requirement
        // named `version`: the file offset of its vna_flags, their value, and its version index (vna_other).
        static (long FlagsOffset, ushort Flags, ushort Index)? FindRequirement(Elf64 elf, string version)
        {
            var verneed = elf.Sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
            if (verneed == null) return null;
            var strtab = elf.Sections[(int)verneed.Link];
            long needOffset = (long)verneed.Offset;
            while (true)
            {
                ushort count = elf.U16(needOffset + 2);
                long auxOffset = needOffset + elf.U32(needOffset + 8);
                for (int i = 0; i < count; i++)
                {
                    if (elf.String(strtab, elf.U32(auxOffset + 8)) == version)
                        return (auxOffset + 4, elf.U16(auxOffset + 4), elf.U16(auxOffset + 6));
                    auxOffset += elf.U32(auxOffset + 12);
                }
                uint next = elf.U32(needOffset + 12);
                if (next == 0) return null;
                needOffset += next;
            }
        }

        /// <summary>True when the given libstdc++ defines <paramref name="version"/> (so no patch is needed).</summary>
        public static bool LibraryDefinesVersion(string libraryPath, string version)
        {
            var elf = new Elf64(File.ReadAllBytes(libraryPath), libraryPath);
            var verdef = elf.Sections.FirstOrDefault(s => s.Type == ShtGnuVerdef);
            if (verdef == null) return false;
            var strtab = elf.Sections[(int)verdef.Link];
            long offset = (long)verdef.Offset;
            while (true)
            {
                uint auxRel = elf.U32(offset + 12), next = elf.U32(offset + 16);
                if (elf.String(strtab, elf.U32(offset + auxRel)) == version) return true;
                if (next == 0) return false;
                offset += next;
            }
        }

        /// <summary>The libstdc++.so.6 the dynamic linker would pick, or null when none is found.</summary>
        public static string? FindSystemLibStdCxx()
        {
            // The running process may already have it mapped: that is exactly the one that counts.
            try
            {
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash >= 0 && line.IndexOf("/libstdc++.so.6", StringComparison.Ordinal) >= 0)
                        return line.Substring(slash).Trim();
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            string[] candidates =
            {
                "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            return candidates.FirstOrDefault(File.Exists);
        }

        /// <summary>
        /// Patches <paramref name="nativeLibrary"/> when the system libstdc++ lacks <see cref="MissingVersion"/>;
        /// a no-op where libstdc++ is new enough or the file does not exist.
        /// </summary>
        public static ElfPatchResult EnsureLoadable(string nativeLibrary)
        {
            if (!File.Exists(nativeLibrary))
                return new ElfPatchResult(nativeLibrary, ElfPatchOutcome.NotRequired, "file not present");
            string? libstdcxx = FindSystemLibStdCxx();
            if (libstdcxx != null && LibraryDefinesVersion(libstdcxx, MissingVersion))
                return new ElfPatchResult(nativeLibrary, ElfPatchOutcome.NotRequired, libstdcxx + " provides " + MissingVersion);
            return MakeVersionRequirementWeak(nativeLibrary, MissingVersion, new[] { OnlySymbolUsingIt });
        }

        static string? CheckOnlyUnrelocatedUsers(Elf64 elf, ushort versionIndex, ICollection<string> allowed)
        {
            var dynsym = elf.Sections.FirstOrDefault(s => s.Type == ShtDynSym);
            var versym = elf.Sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
            if (dynsym == null || versym == null) return "no dynamic symbol table to verify";
            var dynstr = elf.Sections[(int)dynsym.Link];
            int symbolCount = (int)(dynsym.Size / 24);
            var users = new List<int>();
            for (int i = 0; i < symbolCount; i++)
                if ((elf.U16((long)versym.Offset + 2 * i) & 0x7fff) == versionIndex) users.Add(i);
            foreach (int i in users)
            {
                string name = elf.String(dynstr, elf.U32((long)dynsym.Offset + 24L * i));
                if (!allowed.Contains(name)) return "symbol " + name + " also needs the version; weakening would be unsafe";
            }
            foreach (var rel in elf.Sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link < elf.Sections.Count
                                                        && elf.Sections[(int)s.Link].Type == ShtDynSym))
            {
                long entry = rel.Type == ShtRela ? 24 : 16;
                for (long e = 0; e < (long)rel.Size / entry; e++)
                {
                    ulong info = elf.U64((long)rel.Offset + e * entry + 8);
                    int symbol = (int)(info >> 32);
                    if (users.Contains(symbol)) return "a relocation refers to a symbol of that version; weakening would be unsafe";
                }
            }
            return null;
        }

        // Copy (keeps the file mode), change two bytes in the copy, rename over the original:
        // a reader never sees a half-written library, and concurrent builds race harmlessly.
        static void WriteFlagsAtomically(string path, long offset, ushort flags)
        {
            string temp = path + ".segalign-" + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                File.Copy(path, temp, true);
                using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
                {
                    stream.Position = offset;
                    stream.Write(new[] { (byte)flags, (byte)(flags >> 8) }, 0, 2);
                }
                File.Replace(temp, path, null);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }

        sealed class Section
        {
            public uint Type, Link;
            public ulong Offset, Size;
        }

        sealed class Elf64
        {
            readonly byte[] _bytes;
            public readonly List<Section> Sections = new List<Section>();

            public Elf64(byte[] bytes, string path)
            {
                _bytes = bytes;
                if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
                    throw new InvalidDataException(path + " is not an ELF file.");
                if (bytes[4] != 2 || bytes[5] != 1)
                    throw new InvalidDataException(path + " is not a little-endian 64-bit ELF file.");
                ulong shoff = U64(0x28);
                ushort shentsize = U16(0x3a), shnum = U16(0x3c);
                for (int i = 0; i < shnum; i++)
                {
                    long h = (long)shoff + (long)i * shentsize;
                    Sections.Add(new Section { Type = U32(h + 4), Offset = U64(h + 0x18), Size = U64(h + 0x20), Link = U32(h + 0x28) });
                }
            }

            public ushort U16(long o) => BitConverter.ToUInt16(_bytes, checked((int)o));
            public uint U32(long o) => BitConverter.ToUInt32(_bytes, checked((int)o));
            public ulong U64(long o) => BitConverter.ToUInt64(_bytes, checked((int)o));

            public string String(Section table, uint offset)
            {
                int start = checked((int)(table.Offset + offset)), end = start;
                while (_bytes[end] != 0) end++;
                return Encoding.ASCII.GetString(_bytes, start, end - start);
            }
        }
    }
}

#if !SEGALIGN_LIBRARY
namespace SegAlign.Platform.Build
{
    /// <summary>MSBuild entry point (see environment/TorchSharpNativeFix.targets).</summary>
    public sealed class PatchTorchSharpNative : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = System.Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        public override bool Execute()
        {
            foreach (var item in Libraries)
            {
                var result = ElfVersionPatch.EnsureLoadable(item.GetMetadata("FullPath"));
                if (result.Outcome == ElfPatchOutcome.Refused)
                {
                    Log.LogError("SegAlign could not make " + result.Path + " loadable: " + result.Detail +
                                 ". Install a libstdc++ that provides " + ElfVersionPatch.MissingVersion + " (GCC 13 or newer).");
                    return false;
                }
                var importance = result.Outcome == ElfPatchOutcome.Patched
                    ? Microsoft.Build.Framework.MessageImportance.High
                    : Microsoft.Build.Framework.MessageImportance.Low;
                Log.LogMessage(importance, "SegAlign native fix: " + result);
            }
            return true;
        }
    }
}
#endif
