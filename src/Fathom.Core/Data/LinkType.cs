namespace Fathom.Data;

/// <summary>How checkout places a cached object in the workspace (DVC's <c>cache.type</c>).</summary>
internal enum LinkType
{
    Reflink,
    Hardlink,
    Symlink,
    Copy,
}
