"""PostgreSQL only: search_word, the distinct words (lexemes) of every reference's search
document, with a trigram index, for typo forgiveness (search.candidates).

Trigram similarity of every title to a misspelt word cost seconds at 200,000 references
(a scan of the title trigram index whose candidates each need a recheck); the known
words are a few tens of thousands whatever the number of references, so widening
"spondilitis" to "spondyl" there takes a millisecond, and the documents are then searched
through their GIN index. The title trigram index of 0001 is dropped: nothing uses it.

Statement-level triggers keep the table current as references are inserted (COPY
included) or their document changes; a word is never removed (one no document holds any
longer finds nothing, and costs nothing but a row).
"""

from django.db import migrations

COLLECT = """
CREATE OR REPLACE FUNCTION search_word_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO search_word (word)
      SELECT DISTINCT unnest(tsvector_to_array(search_document)) FROM new_rows
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO search_word (word)
      SELECT DISTINCT unnest(tsvector_to_array(n.search_document))
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.search_document IS DISTINCT FROM o.search_document
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$
"""

FORWARD = [
    "CREATE TABLE IF NOT EXISTS search_word (word text PRIMARY KEY)",
    "INSERT INTO search_word (word) SELECT word FROM "
    "ts_stat('SELECT search_document FROM references_reference') ON CONFLICT DO NOTHING",
    "CREATE INDEX IF NOT EXISTS search_word_trgm ON search_word USING gin (word gin_trgm_ops)",
    COLLECT,
    "CREATE TRIGGER search_word_insert AFTER INSERT ON references_reference "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_word_collect()",
    "CREATE TRIGGER search_word_update AFTER UPDATE ON references_reference "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_word_collect()",
    "DROP INDEX IF EXISTS search_reference_title_trgm",
    "ANALYZE search_word",
]

BACKWARD = [
    "CREATE INDEX IF NOT EXISTS search_reference_title_trgm ON references_reference "
    "USING gin (title gin_trgm_ops)",
    "DROP TRIGGER IF EXISTS search_word_update ON references_reference",
    "DROP TRIGGER IF EXISTS search_word_insert ON references_reference",
    "DROP FUNCTION IF EXISTS search_word_collect()",
    "DROP TABLE IF EXISTS search_word",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_published_study_documents"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
