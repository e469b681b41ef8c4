{#- The history of every rj_cases record across snapshots: see the snapshot_history macro. -#}
{{ snapshot_history(ref('stg_rj_cases'), ['rj_case_id'], absent_records='deleted') }}
