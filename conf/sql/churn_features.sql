-- Features of active subscribers for one day (${ds}); Hive substitutes nothing: jobs.prepare does, after
-- validating every value.
CREATE TABLE IF NOT EXISTS features.churn_daily (
  subscriber_id BIGINT,
  tenure_days INT,
  monthly_charges DOUBLE,
  support_calls_30d INT,
  data_usage_gb_30d DOUBLE
)
PARTITIONED BY (dt STRING)
STORED AS PARQUET;

INSERT OVERWRITE TABLE features.churn_daily PARTITION (dt = '${ds}')
SELECT s.subscriber_id,
       s.tenure_days,
       s.monthly_charges,
       COALESCE(c.calls, 0) AS support_calls_30d,
       COALESCE(u.usage_gb, 0.0) AS data_usage_gb_30d
FROM raw.subscribers s
LEFT JOIN (
  SELECT subscriber_id, COUNT(*) AS calls
  FROM raw.support_calls
  WHERE dt > date_sub('${ds}', 30) AND dt <= '${ds}'
  GROUP BY subscriber_id
) c ON c.subscriber_id = s.subscriber_id
LEFT JOIN (
  SELECT subscriber_id, SUM(gb) AS usage_gb
  FROM raw.data_usage
  WHERE dt > date_sub('${ds}', 30) AND dt <= '${ds}'
  GROUP BY subscriber_id
) u ON u.subscriber_id = s.subscriber_id
WHERE s.dt = '${ds}' AND s.status = 'active' AND s.tenure_days >= ${min_tenure_days};
