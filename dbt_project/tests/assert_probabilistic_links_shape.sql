-- Probabilistic links (pipelines/linkage/probabilistic.py): returns every link that breaks its
-- shape: a police or survey record on the left, a survey record on the right, a record linked to
-- itself, a record the reference stage already placed, or a probability outside [0, 1].
-- An asset check on the probabilistic links model (it also reads the reference links).
{{ config(meta={'dagster': {'ref': {'name': 'int_linkage__probabilistic_links'}}}) }}
select links.*
from {{ ref('int_linkage__probabilistic_links') }} as links
where split_part(links.record_id, ':', 1) in ('police_crimes', 'uss_responses')
   or split_part(links.matched_record_id, ':', 1) = 'uss_responses'
   or links.record_id = links.matched_record_id
   or links.match_probability not between 0 and 1
   or links.record_id in (select record_id from {{ ref('int_linkage__reference_links') }} where record_id is not null)
