# One-line install of the SMART agent for {{ s.name }}, in an administrator PowerShell in this folder:
#   powershell -ExecutionPolicy Bypass -File install.ps1
$ErrorActionPreference = 'Stop'
$Src = $PSScriptRoot
$Dest = '{{ dir }}'
if (-not (Get-Command curl.exe -ErrorAction SilentlyContinue)) { throw 'curl.exe is required (built into Windows 10 1803+ and Server 2019+)' }
foreach ($line in Get-Content (Join-Path $Src 'SHA256SUMS')) {
  $sum, $file = $line -split '  ', 2
  if ((Get-FileHash -Algorithm SHA256 (Join-Path $Src $file)).Hash.ToLower() -ne $sum) { throw "bundle file changed: $file" }
}
$user = 'smartagent'
Add-Type -AssemblyName System.Web
$password = [System.Web.Security.Membership]::GeneratePassword(24, 4)
if (-not (Get-LocalUser -Name $user -ErrorAction SilentlyContinue)) {
  New-LocalUser -Name $user -Password (ConvertTo-SecureString $password -AsPlainText -Force) -PasswordNeverExpires -UserMayNotChangePassword -Description 'SMART agent (no administrator rights)' | Out-Null
} else {
  Set-LocalUser -Name $user -Password (ConvertTo-SecureString $password -AsPlainText -Force)
}
New-Item -ItemType Directory -Force -Path (Join-Path $Dest 'reports') | Out-Null
foreach ($f in 'smartupload.cmd','smartstatus.cmd','smartupload.ps1','smartstatus.ps1','smart.cfg','kte-login.cfg','kte-metrics.cfg','README.txt','SHA256SUMS') {
  Copy-Item -Force (Join-Path $Src $f) (Join-Path $Dest $f)
}
# Only the agent's user, SYSTEM and administrators may read or change the folder (secrets inside).
icacls $Dest /inheritance:r /grant:r "${user}:(OI)(CI)M" 'SYSTEM:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' | Out-Null
foreach ($task in 'smartupload','smartstatus') {
  $xml = Get-Content -Raw -Encoding Unicode (Join-Path $Src "task-$task.xml")
  Register-ScheduledTask -TaskName $task -TaskPath '\SMART\' -Xml $xml -User "$env:COMPUTERNAME\$user" -Password $password -Force | Out-Null
}
Write-Host "SMART agent installed in $Dest; tasks \SMART\smartupload and \SMART\smartstatus run as $user."
