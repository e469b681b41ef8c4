"""The synthetic London generator: extracts for every synthetic feed, and their ground truth.

    from pipelines.synthetic import generate, DefectRates
    summary = generate(landing_dir, truth_dir, start="2025-01", months=3, scale=0.05, seed=42,
                       defects=DefectRates(), progress=print)

Layout: `world/` simulates what happened (victims, outcomes, court cases, VCS cases, survey
interviews, hub referrals, RJ cases); `feeds/` holds each feed's contract (columns, file names,
validation rules, defect kinds) and renders world rows as the sender exports them; `defects/`
injects and logs the mess; `metrics/` computes every synthetic metric of metrics.md; `output/`
writes the files; `generator.py` runs it all month by month.

Ground truth, in `truth_dir`:
- people.parquet: person_id, role (victim|offender), forename, nickname, surname, gender, dob,
  ethnicity, postcode, home_borough_code, phone, email, victim_ref (police victims), pnc and crn
  (offenders).
- records.parquet: feed, file_name, row_number (1 = first data row), record_key (the feed's key
  as delivered, parts joined by "|"; council_hub: "<borough name>|<Referral ID>"), person_id (the
  victim; null where none is known), crime_id.
- defects.parquet: feed, file_name, row_number, record_key, column (spec column, JSON path for
  probation_vcs, null for duplicate_row and key_conflict), defect, severity ('row' = quarantined,
  'field' = nulled, null = accepted or undetectable), check.
- files.parquet: feed, file_name, period_month, snapshot_date, version, rows (data rows),
  expected_status ('loaded' or 'superseded'), encoding (null for workbooks).
- metrics.parquet: metric_id, period_month, geography_level, borough_code, bcu_name, breakdown,
  breakdown_value, true_numerator, true_denominator, true_value, expected_numerator,
  expected_denominator, expected_value.
- manifest.json: arguments, seed, defect rates, files and rows per feed.

`true_*` is each metric over the clean files (the world as it happened); `expected_*` is the same
computation over what the warehouse loads once the injected defects are handled as the feed
contracts say (feeds/*.py docstrings). Both use the same deterministic links (metrics/links.py),
so they agree exactly when DefectRates.none() is used. Conventions the metrics follow beyond
metrics.md: a count has a row only where it is above zero; a median is the interpolated median;
DQ metrics count every delivery of the month, including a v1 later superseded by its v2.
"""

from pipelines.synthetic.defect_rates import DefectRates
from pipelines.synthetic.generator import GenerationSummary, generate

__all__ = ["DefectRates", "GenerationSummary", "generate"]
