{#- The history of every probation_vcs record across snapshots: see the snapshot_history macro. -#}
{{ snapshot_history(ref('stg_probation_vcs'), ['vcs_case_id'], absent_records='deleted') }}
