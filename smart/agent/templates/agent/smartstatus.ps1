# SMART smartstatus for {{ s.name }} ({{ s.client }}), generated {{ generated }}.
# Reads K/TE's /sysmon/metrics with its Date header and {% if upload %}uploads them to SMART{% else %}keeps them{% endif %}. Secrets: kte-metrics.cfg, smart.cfg.
$ErrorActionPreference = 'Stop'
$Dir = $PSScriptRoot
$Name = '{{ s.name }}'
$Kte = '{{ s.kte_url }}'
$Api = '{{ api_url }}'
$Keep = {{ s.keep }}
$Upload = ${% if upload %}true{% else %}false{% endif %}
$Out = Join-Path $Dir 'reports'
$Log = Join-Path $Dir 'smartagent.log'
New-Item -ItemType Directory -Force -Path $Out | Out-Null
Set-Location $Dir
function Log($m) { Add-Content -Path $Log -Value ("{0:u} smartstatus: {1}" -f (Get-Date).ToUniversalTime(), $m) }
$file = Join-Path $Out ("$Name-{0}.status" -f (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ'))
$headers = Join-Path $Dir 'headers.part'; $body = Join-Path $Dir 'metrics.part'
Remove-Item -Force -ErrorAction SilentlyContinue $headers, $body
$code = & curl.exe -sS -K (Join-Path $Dir 'kte-metrics.cfg') -A smartdownload --max-time 60 -D $headers -o $body -w '%{http_code}' "$Kte/sysmon/metrics"
$rc = $LASTEXITCODE
if ($rc -eq 0 -and $code -eq '404') {
  $code = & curl.exe -sS -A smartdownload --max-time 60 -D $headers -o $body -w '%{http_code}' "$Kte/sysinfo/metrics"; $rc = $LASTEXITCODE
}
$date = @(Get-Content -ErrorAction SilentlyContinue $headers | Where-Object { $_ -match '^date:' })
if ($rc -ne 0) {
  Log "K/TE at $Kte is unreachable: curl exit $rc"
  Set-Content -Path $file -Encoding ascii -Value @("# smartstatus: K/TE at $Kte did not answer (curl exit $rc)", 'kserver_up 0')
} elseif ($code -ne '200') {
  Log "K/TE answered HTTP $code to the metrics request"
  Set-Content -Path $file -Encoding ascii -Value ($date + @("# smartstatus: K/TE answered HTTP $code", 'kserver_up 1'))
} else {
  Set-Content -Path $file -Encoding utf8NoBOM -Value ($date + @(Get-Content $body)) -ErrorAction SilentlyContinue
  if (-not $?) { Set-Content -Path $file -Encoding ascii -Value ($date + @(Get-Content $body)) }
}
Remove-Item -Force -ErrorAction SilentlyContinue $headers, $body
Get-ChildItem $Out -Filter '*.status' | Sort-Object LastWriteTime -Descending | Select-Object -Skip $Keep | Remove-Item -Force
if (-not $Upload) { exit 0 }
$up = & curl.exe -sS -K (Join-Path $Dir 'smart.cfg') --max-time 300 -o (Join-Path $Dir 'answer.json') -w '%{http_code}' -F "file=@$file;filename=$Name.status" $Api
Log "upload of ${Name}.status: HTTP $up"
if ($up -ne '200' -and $up -ne '202') { exit 1 }
