"""The one way the browser renders user-written markdown (briefs, answers, feedback, ...).

Reflex's `rx.markdown` turns on rehype-raw, so HTML inside markdown becomes live markup (an
`<iframe srcdoc>` runs script with the app's origin). `safe_markdown` renders markdown without it
and adds one rehype step, under the same rules as `services/rendering.py` on the server:
- raw HTML is shown as the text that was typed, never as markup;
- links are http(s) or mailto only, opened in a new tab with rel="noopener noreferrer nofollow";
  any other scheme (javascript:, data:, relative, ...) leaves the words as plain text;
- images become links to the image (or their alt text), so reading fetches nothing by itself.
Math/KaTeX is off as well: `$` is common in shell commands and KaTeX has its own URL commands.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

# A unified (rehype) plugin, inline so it needs no npm package: () => transformer(tree).
_SAFE_TREE_JS = """
(() => (tree) => {
  const REL = ["noopener", "noreferrer", "nofollow"];
  const safe = (url) =>
    /^(https?|mailto):/i.test(String(url ?? "").replace(/[\\u0000-\\u0020\\u007f]/g, ""));
  const text = (value) => ({ type: "text", value: String(value ?? "") });
  const walk = (parent, inLink) => {
    const kids = parent.children || [];
    for (let i = 0; i < kids.length; i++) {
      const node = kids[i];
      if (node.type === "raw") { kids[i] = text(node.value); continue; }
      if (node.type !== "element") continue;
      const props = node.properties || {};
      if (node.tagName === "img") {
        const alt = String(props.alt || "") || "image";
        kids[i] = !inLink && safe(props.src)
          ? { type: "element", tagName: "a",
              properties: { href: String(props.src), rel: REL, target: "_blank" },
              children: [text(alt)] }
          : text(alt);
        continue;
      }
      if (node.tagName === "a") {
        if (inLink || !safe(props.href)) {
          kids.splice(i, 1, ...(node.children || []));
          i -= 1;
          continue;
        }
        node.properties = { href: String(props.href), rel: REL, target: "_blank" };
        walk(node, true);
        continue;
      }
      walk(node, inLink);
    }
  };
  walk(tree, false);
})
"""

SAFE_TREE_PLUGIN: Var[Any] = Var(_js_expr=" ".join(_SAFE_TREE_JS.split()))


def safe_markdown(source: str | Var[str], **props: Any) -> rx.Component:
    """Render user markdown safely (no raw HTML, http(s)/mailto links only, no images)."""
    return rx.markdown(
        source,
        use_raw=False,
        use_math=False,
        use_katex=False,
        use_unwrap_images=False,
        use_gfm=True,
        rehype_plugins=[SAFE_TREE_PLUGIN],
        **props,
    )
