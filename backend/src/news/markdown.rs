//! Markdown to safe HTML: pulldown-cmark renders, ammonia sanitises. Whatever staff type (or paste), the
//! page gets no script, frame, form, style, event handler, or `javascript:`/`data:` link, and images only from
//! this site (the CSP would block others anyway). Headings move one level down: the article's title is the
//! page's only `h1`.

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Renders an article body.
pub fn render(md: &str) -> String {
    let parser = Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|e| match e {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: lower(level), id, classes, attrs })
        }
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level))),
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
        let h = render("# 标题\n\n**粗体** 与 [链接](https://example.org/a)\n\n| 项目 | 结果 |\n|---|---|\n| 铅 | 合格 |");
        assert!(h.contains("<h2>标题</h2>"), "{h}");
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
            for bad in ["<script", "<iframe", "javascript:", "data:text", "onerror", "onload", "<style", "<form", "<input", "<object", "<embed", "style=", "<meta", "<svg"] {
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
