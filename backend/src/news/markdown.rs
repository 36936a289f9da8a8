//! Markdown to safe HTML: pulldown-cmark renders, ammonia sanitises. Whatever staff type (or paste), the
//! page gets no script, frame, form, style, event handler, or `javascript:`/`data:` link, and images only from
//! this site (the CSP would block others anyway). Headings are renumbered so the body's highest one is an
//! `h2`: the article's title is the page's only `h1`, and no level is skipped after it.

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;

const LEVELS: [HeadingLevel; 6] =
    [HeadingLevel::H1, HeadingLevel::H2, HeadingLevel::H3, HeadingLevel::H4, HeadingLevel::H5, HeadingLevel::H6];

fn number(level: HeadingLevel) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or(0) + 1
}

/// `level` renumbered so that `top` (the body's highest heading) becomes an h2.
fn renumber(level: HeadingLevel, top: usize) -> HeadingLevel {
    LEVELS[(number(level) + 2).saturating_sub(top).clamp(2, 6) - 1]
}

/// Renders an article body.
pub fn render(md: &str) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).collect();
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(number(*level)),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let parser = events.into_iter().map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: renumber(level, top), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(renumber(level, top))),
        e => e,
    });
    let mut raw = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(UrlRelative::PassThrough)
        .attribute_filter(|element, attribute, value| {
            let local = value.starts_with('/') && !value.starts_with("//");
            if element == "img" && attribute == "src" && !local {
                None
            } else {
                Some(Cow::Borrowed(value))
            }
        })
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_markdown() {
        let h =
            render("# 标题\n\n**粗体** 与 [链接](https://example.org/a)\n\n| 项目 | 结果 |\n|---|---|\n| 铅 | 合格 |");
        assert!(h.contains("<h2>标题</h2>"), "{h}");
        // The highest heading becomes an h2 whatever level it was typed at; the others keep their distance.
        assert_eq!(render("### 甲\n\n#### 乙"), "<h2>甲</h2>\n<h3>乙</h3>\n");
        assert_eq!(render("# 甲\n\n### 乙"), "<h2>甲</h2>\n<h4>乙</h4>\n");
        assert!(h.contains("<strong>粗体</strong>"), "{h}");
        assert!(h.contains(r#"<a href="https://example.org/a" rel="noopener noreferrer nofollow">链接</a>"#), "{h}");
        assert!(h.contains("<table>") && h.contains("<td>合格</td>"), "{h}");
    }

    #[test]
    fn hostile_markdown_is_harmless() {
        let cases = [
            "<script>alert(1)</script>",
            "<iframe src=\"https://evil.test\"></iframe>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<style>body{display:none}</style>",
            "<form action=\"https://evil.test\"><input name=p></form>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.test\">",
        ];
        for md in cases {
            let h = render(md).to_lowercase();
            for bad in [
                "<script",
                "<iframe",
                "javascript:",
                "data:text",
                "onerror",
                "onload",
                "<style",
                "<form",
                "<input",
                "<object",
                "<embed",
                "style=",
                "<meta",
                "<svg",
            ] {
                assert!(!h.contains(bad), "{md:?} rendered {h:?}, which contains {bad:?}");
            }
        }
    }

    #[test]
    fn images_only_from_this_site() {
        assert!(render("![logo](/logo.svg)").contains(r#"<img src="/logo.svg" alt="logo">"#));
        assert!(!render("![x](https://tracker.test/p.gif)").contains("tracker"));
        assert!(!render("![x](//tracker.test/p.gif)").contains("tracker"));
    }
}
