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
- records.parquet: feed, file_name, delivery, row_number (1 = first data row), record_key (the
  feed's key as delivered, parts joined by "|"; council_hub: "<borough name>|<Referral ID>"),
  person_id (the victim; null where none is known), crime_id.
- defects.parquet: feed, file_name, delivery, row_number, record_key, column (spec column, JSON
  path for probation_vcs, null for duplicate_row and key_conflict), defect, severity ('row' =
  quarantined, 'field' = nulled, null = accepted or undetectable), check.
- files.parquet: feed, file_name, delivery (1; 2 for the same name re-sent with new bytes), sha256
  (of the file's bytes), period_month, snapshot_date, version, rows (data rows), expected_status
  ('loaded' or 'superseded'), expected_warning (the registry warnings extracts.md's delivery
  rules give the file: 'windows_1252' for a text file that is not valid UTF-8,
  'same_name_new_bytes' for a re-sent name, joined by "; "; null for none), encoding (null for
  workbooks).
- metrics.parquet: metric_id, period_month, geography_level, borough_code, bcu_name, breakdown,
  breakdown_value, true_numerator, true_denominator, true_value, expected_numerator,
  expected_denominator, expected_value.
- manifest.json: arguments, seed, defect rates, files and rows per feed.

`true_*` is each metric over the clean files (the world as it happened); `expected_*` is the same
computation over what the warehouse loads once the injected defects are handled as the feed
contracts say (feeds/*.py docstrings). Both use the same deterministic links (metrics/links.py),
so they agree exactly when DefectRates.none() is used. Conventions the metrics follow beyond
metrics.md: a count has a row only where it is above zero; a median is the interpolated median;
DQ metrics count every delivery of the month, including a v1 later superseded by its v2 and both
copies of a re-sent snapshot; DQ_LINKED_RJ reads each snapshot date's current file only.

Re-deliveries (DefectRates; none with DefectRates.none(), i.e. `--defect-scale 0`, and none in a
one-month world). Each is a delivery rule of extracts.md the warehouse must get right at scale:
- A `_v2` of a period: the first police_crimes month (`met_crimes_YYYY-MM.csv`, then
  `met_crimes_YYYY-MM_v2.csv`: records cancelled since the first extract removed, records entered
  late added) and the second court_hearings month (`hmcts_hearings_YYYY-MM_v2.csv`: listings made
  in error removed, hearings entered late added, victim attendance recorded since the first
  extract filled in). Either `_v2` also corrects `v2_correction_share` of the first version's
  defective records; the others are sent again. court_hearings because its metrics (CT_*) are
  computed from one month's file alone, so a test can recompute them from the `_v2`, and because
  its even months are Windows-1252 (February, from a January start), so a version meets an
  encoding warning. Both versions are in the landing folder and one build takes them in version
  order. The first version is `superseded`, the `_v2` `loaded`; records and defects cover both
  (the first version's row defects are still quarantined under its name); expected_* follow the
  `_v2` (the first version reaches only the DQ_ counts); true_* are the world's, which the
  re-delivery never changes.
- A snapshot re-sent under the same name: the latest rj_cases snapshot
  (`restore_london_cases_<last month end>.csv`) is sent again with new bytes and nothing raised,
  after the sender corrected `rj_resent_cases` of its defective cases (quarantined cases first;
  never a defect on rj_case_id, so the corrected case keeps its key). Every other line is
  identical; if the snapshot has no defect, it is not re-sent. A landing folder cannot hold both
  at once, so the original is in the landing folder and the re-sent bytes are at
  `<truth>/resent/rj_cases/<same name>`. The ground truth describes the state after this
  sequence, which is how a test (or an operator trying it) uses it:
    1. build the landing folder as generated: the original is loaded;
    2. copy `<truth>/resent/<feed>/<file>` over `<landing>/<feed>/<file>` with a new modification
       time (shutil.copyfile, not copy2: the warehouse skips a path whose size and mtime it has
       registered, and a correction may keep the size);
    3. build again: the re-sent file supersedes the original, with a warning.
  files.parquet lists the name twice: delivery 1 (the original, `superseded`) and delivery 2 (the
  re-sent file, `loaded`, expected_warning 'same_name_new_bytes'), with their sha256; records and
  defects carry `delivery` too. expected_* follow the re-sent snapshot (the current state), true_*
  the world. After step 1 alone the truth holds except for that snapshot: the original's status,
  the corrected case's part in the RJ metrics, and the re-sent file's part in the DQ_ counts.
"""

from pipelines.synthetic.defect_rates import DefectRates
from pipelines.synthetic.generator import GenerationSummary, generate

__all__ = ["DefectRates", "GenerationSummary", "generate"]
