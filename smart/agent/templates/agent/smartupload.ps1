# SMART smartupload for {{ s.name }} ({{ s.client }}), generated {{ generated }}.
# Builds K/TE's sysinfo report and {% if upload %}uploads it to SMART{% else %}keeps it for the trip out of the closed network{% endif %}. Secrets: kte-login.cfg, smart.cfg (curl -K).
$ErrorActionPreference = 'Stop'
$Dir = $PSScriptRoot
$Name = '{{ s.name }}'
$Kte = '{{ s.kte_url }}'
$Api = '{{ api_url }}'
$Keep = {{ s.keep }}
$Upload = ${% if upload %}true{% else %}false{% endif %}
$Out = Join-Path $Dir 'reports'
$Log = Join-Path $Dir 'smartagent.log'
$Stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ')
New-Item -ItemType Directory -Force -Path $Out | Out-Null
Set-Location $Dir
function Log($m) { Add-Content -Path $Log -Value ("{0:u} smartupload: {1}" -f (Get-Date).ToUniversalTime(), $m) }
function KeepNewest($ext) { Get-ChildItem $Out -Filter "*.$ext" | Sort-Object LastWriteTime -Descending | Select-Object -Skip $Keep | Remove-Item -Force }
function Send($file, $as) {
  if (-not $Upload) { return $true }
  $code = & curl.exe -sS -K (Join-Path $Dir 'smart.cfg') --max-time 600 -o (Join-Path $Dir 'answer.json') -w '%{http_code}' -F "file=@$file;filename=$as" $Api
  $answer = Get-Content -Raw -ErrorAction SilentlyContinue (Join-Path $Dir 'answer.json')
  if ($code -eq '200' -or $code -eq '202') { Log "uploaded ${as}: $answer"; return $true }
  Log "SMART refused $as (HTTP $code): $answer"; return $false
}
function Unreachable($why) {
  Log "K/TE at $Kte is unreachable: $why"
  $f = Join-Path $Out "$Name-$Stamp.status"
  Set-Content -Path $f -Encoding ascii -Value @("# smartupload: K/TE at $Kte did not answer ($why)", 'kserver_up 0')
  KeepNewest 'status'; Send $f "$Name.status" | Out-Null; exit 1
}
function Fetch($what, [string[]]$want, [string[]]$curlArgs) {
  $code = & curl.exe -sS --fail-with-body -A smartdownload -w '%{http_code}' @curlArgs
  $rc = $LASTEXITCODE
  if ($rc -ne 0 -and $rc -ne 22) { Unreachable "$what failed, curl exit $rc" }
  if ($rc -eq 0 -and $want -contains $code) { return }
  Log "K/TE refused the $what request (HTTP $code): nothing is uploaded"
  Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path $Dir 'sysinfo.part'), (Join-Path $Dir 'cookies.txt')
  exit 1
}
$cookies = Join-Path $Dir 'cookies.txt'
$part = Join-Path $Dir 'sysinfo.part'
Remove-Item -Force -ErrorAction SilentlyContinue $cookies, $part
# Sign in (no redirect is followed: the main page would take a licence seat), then build the report.
Fetch 'sign-in' @('302', '303') @('-K', (Join-Path $Dir 'kte-login.cfg'), '-c', $cookies, '--max-time', '60', '-o', 'NUL', "$Kte/users/login")
Fetch 'sysinfo' @('200') @('-b', $cookies, '-d', 'type=zip', '--max-time', '1800', '-o', $part, "$Kte/sysinfo/si_save_request")
& curl.exe -sS -A smartdownload -b $cookies --max-time 30 -o NUL "$Kte/users/logout" | Out-Null
Remove-Item -Force -ErrorAction SilentlyContinue $cookies
$file = Join-Path $Out "$Name-$Stamp.zip"
Move-Item -Force $part $file
KeepNewest 'zip'
if (-not (Send $file "$Name.zip")) { exit 1 }
