"""Every internal link and anchor in the built HTML resolves."""

from urllib.parse import unquote, urlparse

from bs4 import BeautifulSoup


def test_every_internal_link_and_anchor_resolves(built_book):
    pages = {p: BeautifulSoup(p.read_text(encoding="utf-8"), "lxml")
             for p in built_book.glob("*.html")}
    ids = {p: {tag["id"] for tag in soup.select("[id]")} for p, soup in pages.items()}
    broken, checked = [], 0
    for page, soup in pages.items():
        for a in soup.select("a[href]"):
            url = urlparse(a["href"])
            if url.scheme or a["href"].startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if not target.exists():
                broken.append(f"{page.name}: {a['href']} (no such file)")
                continue
            if url.fragment and target.suffix == ".html":
                target_ids = ids.get(target) or {t["id"] for t in BeautifulSoup(
                    target.read_text(encoding="utf-8"), "lxml").select("[id]")}
                if unquote(url.fragment) not in target_ids:
                    broken.append(f"{page.name}: {a['href']} (no such anchor)")
            checked += 1
    assert checked > 1000, f"only {checked} links checked"
    assert not broken, broken[:20]
