// CloudWatch metrics for the console: GetMetricData queries built and read back.
import { metricData } from "./api.js";

export const LAMBDA = "AWS/Lambda";
export const HOST = "LambdaHost"; // the host's own figures (cold starts)

// One query: [id, namespace, metric, stat, dimensions {Name: Value}].
export function query(id, namespace, metric, stat, dimensions, period) {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metric,
        Dimensions: Object.entries(dimensions || {}).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: stat,
    },
    ReturnData: true,
  };
}

// Results by query id: {id: [[Date, value], ...]} sorted by time. Throws the ApiError when the
// metrics API is not served here.
export async function fetchSeries(queries, startSeconds, endSeconds) {
  const series = {};
  let token = undefined;
  do {
    const body = { MetricDataQueries: queries, StartTime: startSeconds, EndTime: endSeconds, ScanBy: "TimestampAscending" };
    if (token) body.NextToken = token;
    const page = await metricData(body);
    for (const result of page.MetricDataResults || []) {
      const points = series[result.Id] || (series[result.Id] = []);
      (result.Timestamps || []).forEach((t, i) => {
        const date = typeof t === "number" ? new Date(t * 1000) : new Date(t);
        points.push([date, result.Values[i]]);
      });
    }
    token = page.NextToken;
  } while (token);
  for (const points of Object.values(series)) points.sort((a, b) => a[0] - b[0]);
  return series;
}

export const total = (points) => (points || []).reduce((sum, [, v]) => sum + v, 0);
