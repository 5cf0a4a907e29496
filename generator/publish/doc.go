// Package publish swaps a fully built static site into place atomically, so
// that readers and web servers find a complete site at the output path at
// every instant, and a build killed at any moment (even by SIGKILL) never
// leaves the output path missing or half-written.
//
// # Layout
//
// The output path is a symlink to a complete version kept in a hidden
// sibling directory named after it:
//
//	site/public -> .public.herald/v000042
//	site/.public.herald/v000041/    the version before, kept for readers still inside it
//	site/.public.herald/v000042/    the published version
//	site/.public.herald/tmp-9f3c…/  a stage being written
//	site/.public.herald/.lock       serialises publishers of site/public
//
// The symlink target is relative, so the site folder can be moved or
// mounted elsewhere without breaking it.
//
// # Publishing
//
// [Begin] creates a stage, [Stage.WriteFile] fills it, and [Stage.Commit]
// fsyncs it, renames it to the next version number and then renames a new
// symlink over the output path. rename(2) replaces the link in one step, so
// a reader resolves either the old version or the new one, and both are
// complete. Commit then removes every version but the new one and the one it
// replaced, which a reader that resolved the old link just before the swap
// is still opening; a reader stalled across two commits may find the
// version it resolved gone, and must open the path again. Files that did not change are hard-linked from the published
// version rather than written again, so they keep their inode and mtime
// (and with them their HTTP validators).
//
// [Recycle] begins a stage from the version before the published one
// instead of an empty folder, for a caller that rebuilds the same site
// again and again and knows what that version holds: it then writes and
// removes ([Stage.Remove]) only what differs. Commit fsyncs only the paths
// a stage touched when they are few, and the whole file system otherwise.
//
// # Crashes
//
// A killed run can leave a tmp-* stage, a version that was never pointed
// at, or a .public.tmp-* symlink beside the output path. None of them is
// ever published, and the next Begin or Commit removes them; a stage that is
// still being written holds a lock on its folder and is left alone. Version
// numbers come from the v* names on disk, and the published version is
// never removed, so they keep increasing.
//
// # Ownership
//
// The publisher replaces or removes only what herald wrote itself. At the
// output path that is nothing at all, a symlink into the versions
// directory, an empty folder, or a folder herald published: one holding
// [ManifestName] at its root and nothing but the files it lists, in the
// folders they sit in (a site an older herald wrote as a plain folder, or
// one copied with cp -r). Anything else there (a user's folder, a file, a
// symlink elsewhere, herald's folder with a CNAME added) may be a user's:
// [Begin] and [Stage.Commit] return [ErrOutputOccupied] naming the path,
// and Begin creates nothing, not even the versions directory. The same
// test guards what the sweep removes and what a restore moves beside the
// output path: a user's file or folder that happens to be named
// .public.tmp-* is left alone.
//
// # Migration
//
// If the output path is a folder herald may replace, Commit exchanges it
// with the new symlink in one step with renameat2(RENAME_EXCHANGE), then
// checks again that the old folder is herald's own and removes it. Where
// the kernel or file system lacks RENAME_EXCHANGE, Commit renames the
// folder aside and then renames the symlink in; between those two renames,
// a few microseconds, the output path does not exist. If the process dies
// in that window, the next Begin moves the folder back.
package publish
