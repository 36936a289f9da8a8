-- 新闻动态: articles in Markdown (rendered and sanitised when read). Public once `published` = 1 and
-- `publish_at` has passed; a later `publish_at` is a scheduled article.
CREATE TABLE news_articles (
    id         BIGSERIAL PRIMARY KEY,
    title      TEXT   NOT NULL,
    summary    TEXT   NOT NULL DEFAULT '',
    body       TEXT   NOT NULL,
    -- Tags joined by commas, e.g. '抽检公告,科普'.
    tags       TEXT   NOT NULL DEFAULT '',
    published  BIGINT NOT NULL DEFAULT 0,
    publish_at BIGINT,
    -- The cover, re-encoded as a JPEG without metadata.
    cover      BYTEA,
    cover_alt  TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL
);
CREATE INDEX news_public ON news_articles (published, publish_at);
