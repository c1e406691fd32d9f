// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

// Small hand-written documents, one set per decoder. They are the inputs of the table tests, the
// read-splitting and truncation tests, and the f.Add seeds of the fuzz targets.

// hldDoc exercises most of what the tokenizer handles: prolog, DOCTYPE with a SYSTEM URL (never
// fetched), comments everywhere (also after the root), CDATA, entities and character references,
// attributes, self-closing and unknown elements, lists of one, a host without detections, white
// space around values, and the WARNING of a truncated page.
const hldDoc = `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE HOST_LIST_VM_DETECTION_OUTPUT SYSTEM "https://qualysapi.qualys.com/api/2.0/fo/asset/host/vm/detection/host_list_vm_detection_output.dtd">
<!-- generated -->
<HOST_LIST_VM_DETECTION_OUTPUT>
  <RESPONSE>
    <DATETIME>2026-01-15T12:00:00Z</DATETIME>
    <HOST_LIST>
      <HOST>
        <ID>101</ID>
        <ASSET_ID>9001</ASSET_ID>
        <IP>10.0.0.1</IP>
        <IPV6/>
        <TRACKING_METHOD>QAGENT</TRACKING_METHOD>
        <NETWORK_ID> 0 </NETWORK_ID>
        <OS><![CDATA[Windows Server 2019 <Datacenter>]]></OS>
        <!-- a comment between fields -->
        <DNS>host&amp;one.example.com</DNS>
        <DNS_DATA>
          <HOSTNAME><![CDATA[host&one]]></HOSTNAME>
          <DOMAIN>example.com</DOMAIN>
          <FQDN><![CDATA[host&one.example.com]]></FQDN>
        </DNS_DATA>
        <CLOUD_PROVIDER>AWS</CLOUD_PROVIDER>
        <EC2_INSTANCE_ID>i-0abc</EC2_INSTANCE_ID>
        <NETBIOS>HOST1</NETBIOS>
        <QG_HOSTID><![CDATA[0c3b-11ee]]></QG_HOSTID>
        <LAST_SCAN_DATETIME>2026-01-14T10:00:00Z</LAST_SCAN_DATETIME>
        <LAST_VM_SCANNED_DATE>2026-01-14T09:59:00Z</LAST_VM_SCANNED_DATE>
        <TAGS>
          <TAG>
            <TAG_ID>7001</TAG_ID>
            <NAME><![CDATA[PCI &amp; Prod]]></NAME>
            <COLOR>#FFFFFF</COLOR>
          </TAG>
        </TAGS>
        <METADATA><EC2><ATTRIBUTE><NAME>x</NAME><VALUE>y</VALUE></ATTRIBUTE></EC2></METADATA>
        <TRURISK_SCORE>812</TRURISK_SCORE>
        <DETECTION_LIST>
          <DETECTION>
            <UNIQUE_VULN_ID>5550001</UNIQUE_VULN_ID>
            <QID>38170</QID>
            <TYPE>Confirmed</TYPE>
            <SEVERITY>2</SEVERITY>
            <PORT>443</PORT>
            <PROTOCOL>tcp</PROTOCOL>
            <SSL>1</SSL>
            <RESULTS>Certificate &lt;CN=host&gt; expired &#169; &#x263A; <!-- inner comment -->done<![CDATA[ & raw <tail>]]></RESULTS>
            <STATUS>Active</STATUS>
            <FIRST_FOUND_DATETIME>2025-12-01T08:00:00Z</FIRST_FOUND_DATETIME>
            <LAST_FOUND_DATETIME>2026-01-14T09:59:00Z</LAST_FOUND_DATETIME>
            <QDS severity="HIGH">72</QDS>
            <QDS_FACTORS>
              <QDS_FACTOR name="CVSS"><![CDATA[7.5]]></QDS_FACTOR>
            </QDS_FACTORS>
            <TIMES_FOUND>12</TIMES_FOUND>
            <IS_IGNORED>0</IS_IGNORED>
            <IS_DISABLED>0</IS_DISABLED>
            <AFFECT_RUNNING_KERNEL>1</AFFECT_RUNNING_KERNEL>
            <ASSET_CVE>CVE-2020-0001</ASSET_CVE>
            <LAST_PROCESSED_DATETIME>2026-01-14T10:00:00Z</LAST_PROCESSED_DATETIME>
          </DETECTION>
          <DETECTION>
            <QID>105943</QID>
            <TYPE>Potential</TYPE>
            <SEVERITY>3</SEVERITY>
            <STATUS>Re-Opened</STATUS>
            <TIMES_REOPENED>1</TIMES_REOPENED>
            <LAST_REOPENED_DATETIME>2026-01-10T00:00:00Z</LAST_REOPENED_DATETIME>
          </DETECTION>
        </DETECTION_LIST>
      </HOST>
      <HOST>
        <ID>102</ID>
        <IP>10.0.0.2</IP>
        <DETECTION_LIST/>
      </HOST>
      <HOST><ID>103</ID><IP>10.0.0.3</IP></HOST>
      <HOST>
        <ID>104</ID>
        <DETECTION_LIST><DETECTION><QID>6</QID><TYPE>Info</TYPE></DETECTION></DETECTION_LIST>
      </HOST>
    </HOST_LIST>
    <WARNING>
      <CODE>1980</CODE>
      <TEXT>1000 record limit exceeded. Use URL to get next batch of results.</TEXT>
      <URL><![CDATA[https://qualysapi.qualys.com/api/2.0/fo/asset/host/vm/detection/?action=list&truncation_limit=1000&id_min=105]]></URL>
    </WARNING>
  </RESPONSE>
</HOST_LIST_VM_DETECTION_OUTPUT>
<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. Qualys provides the QualysGuard Service "As Is," //-->
`

// hldEmptyDoc is the empty result: RESPONSE with only DATETIME.
const hldEmptyDoc = `<?xml version="1.0" encoding="UTF-8" ?>
<HOST_LIST_VM_DETECTION_OUTPUT><RESPONSE><DATETIME>2026-01-15T12:00:00Z</DATETIME></RESPONSE></HOST_LIST_VM_DETECTION_OUTPUT>
`

const hostListDoc = `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE HOST_LIST_OUTPUT SYSTEM "https://qualysapi.qualys.com/api/2.0/fo/asset/host/host_list_output.dtd">
<HOST_LIST_OUTPUT>
  <RESPONSE>
    <DATETIME>2026-01-15T12:00:00Z</DATETIME>
    <HOST_LIST>
      <HOST>
        <ID>201</ID>
        <ASSET_ID>9201</ASSET_ID>
        <IP>10.1.0.1</IP>
        <TRACKING_METHOD>IP</TRACKING_METHOD>
        <DNS><![CDATA[web-1.example.com]]></DNS>
        <NETBIOS><![CDATA[WEB1]]></NETBIOS>
        <OS><![CDATA[Ubuntu 22.04]]></OS>
        <QG_HOSTID><![CDATA[abcd-1234]]></QG_HOSTID>
        <LAST_BOOT>2026-01-01T00:00:00Z</LAST_BOOT>
        <SERIAL_NUMBER><![CDATA[SN-001]]></SERIAL_NUMBER>
        <HARDWARE_UUID><![CDATA[4C4C4544-0042]]></HARDWARE_UUID>
        <FIRST_FOUND_DATE>2024-05-01T00:00:00Z</FIRST_FOUND_DATE>
        <LAST_ACTIVITY>2026-01-14T00:00:00Z</LAST_ACTIVITY>
        <AGENT_STATUS><![CDATA[Inventory Scan Complete]]></AGENT_STATUS>
        <CLOUD_AGENT_RUNNING_ON><![CDATA[QAGENT]]></CLOUD_AGENT_RUNNING_ON>
        <TAGS><TAG><TAG_ID>1</TAG_ID><NAME>Linux</NAME></TAG><TAG><TAG_ID>2</TAG_ID><NAME>Web</NAME></TAG></TAGS>
        <LAST_VULN_SCAN_DATETIME>2026-01-13T00:00:00Z</LAST_VULN_SCAN_DATETIME>
        <LAST_VM_SCANNED_DATE>2026-01-13T00:00:00Z</LAST_VM_SCANNED_DATE>
        <LAST_VM_AUTH_SCANNED_DATE>2026-01-12T00:00:00Z</LAST_VM_AUTH_SCANNED_DATE>
        <LAST_COMPLIANCE_SCAN_DATETIME>2026-01-11T00:00:00Z</LAST_COMPLIANCE_SCAN_DATETIME>
        <LAST_PC_SCANNED_DATE>2026-01-11T00:00:00Z</LAST_PC_SCANNED_DATE>
        <CLOUD_PROVIDER>Azure</CLOUD_PROVIDER>
        <CLOUD_SERVICE>VM</CLOUD_SERVICE>
        <CLOUD_RESOURCE_ID>/subscriptions/x/vm1</CLOUD_RESOURCE_ID>
        <ASSET_GROUP_IDS>1,2</ASSET_GROUP_IDS>
        <ASSET_RISK_SCORE>350</ASSET_RISK_SCORE>
        <TRURISK_SCORE>360</TRURISK_SCORE>
        <TRURISK_SCORE_FACTORS><TRURISK_SCORE_FORMULA/></TRURISK_SCORE_FACTORS>
        <ASSET_CRITICALITY_SCORE>3</ASSET_CRITICALITY_SCORE>
      </HOST>
      <HOST><ID>202</ID><IP>10.1.0.2</IP></HOST>
    </HOST_LIST>
    <WARNING>
      <CODE>1980</CODE>
      <TEXT>1000 record limit exceeded. Use URL to get next batch of results.</TEXT>
      <URL><![CDATA[https://qualysapi.qualys.com/api/2.0/fo/asset/host/?action=list&id_min=203]]></URL>
    </WARNING>
  </RESPONSE>
</HOST_LIST_OUTPUT>
`

const hostListIDSetDoc = `<?xml version="1.0" encoding="UTF-8" ?>
<HOST_LIST_OUTPUT>
  <RESPONSE>
    <DATETIME>2026-01-15T12:00:00Z</DATETIME>
    <ID_SET>
      <ID>100</ID>
      <ID>105-110</ID>
      <ID_RANGE>200-300</ID_RANGE>
      <ID>7</ID>
    </ID_SET>
  </RESPONSE>
</HOST_LIST_OUTPUT>
`

// hostAssetDoc has the paging fields after data, the order the JupiterOne fixture shows
// before; both are accepted.
const hostAssetDoc = `<?xml version="1.0" encoding="UTF-8"?>
<ServiceResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://qualysapi.qualys.com/qps/xsd/2.0/am/hostasset.xsd">
  <responseCode>SUCCESS</responseCode>
  <count>2</count>
  <data>
    <HostAsset>
      <id>3001</id>
      <name>web-1</name>
      <created>2024-05-01T00:00:00Z</created>
      <modified>2026-01-14T00:00:00.123Z</modified>
      <type>HOST</type>
      <tags>
        <count>1</count>
        <list>
          <TagSimple><id>11</id><name>Prod</name></TagSimple>
        </list>
      </tags>
      <qwebHostId>201</qwebHostId>
      <lastVulnScan>2026-01-13T00:00:00Z</lastVulnScan>
      <fqdn>web-1.example.com</fqdn>
      <os>Ubuntu 22.04</os>
      <dnsHostName>web-1.example.com</dnsHostName>
      <agentInfo>
        <agentVersion>6.1.0</agentVersion>
        <agentId>a-1</agentId>
        <status>STATUS_ACTIVE</status>
        <lastCheckedIn>2026-01-14T01:00:00Z</lastCheckedIn>
      </agentInfo>
      <netbiosName>WEB1</netbiosName>
      <address>10.1.0.1</address>
      <trackingMethod>QAGENT</trackingMethod>
      <networkInterface>
        <list>
          <HostAssetInterface>
            <hostname>web-1</hostname>
            <interfaceId>1</interfaceId>
            <interfaceName>eth0</interfaceName>
            <macAddress>00:50:56:aa:bb:cc</macAddress>
            <type>LOCAL</type>
            <address>10.1.0.1</address>
            <gatewayAddress>10.1.0.254</gatewayAddress>
          </HostAssetInterface>
          <HostAssetInterface>
            <interfaceName>eth0</interfaceName>
            <address>fe80::1</address>
          </HostAssetInterface>
        </list>
      </networkInterface>
      <criticality><score>4</score></criticality>
    </HostAsset>
    <HostAsset>
      <id>3002</id>
      <name>db-1</name>
      <networkInterface><list><HostAssetInterface><address>10.1.0.2</address></HostAssetInterface></list></networkInterface>
    </HostAsset>
  </data>
  <hasMoreRecords>true</hasMoreRecords>
  <lastId>3002</lastId>
</ServiceResponse>
`

const hostAssetErrorDoc = `<?xml version="1.0" encoding="UTF-8"?>
<ServiceResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <responseCode>INVALID_CREDENTIALS</responseCode>
  <responseErrorDetails>
    <errorMessage>Invalid credentials &amp; such</errorMessage>
  </responseErrorDetails>
</ServiceResponse>
`

const kbDoc = `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE KNOWLEDGE_BASE_VULN_LIST_OUTPUT SYSTEM "">
<KNOWLEDGE_BASE_VULN_LIST_OUTPUT>
  <RESPONSE>
    <DATETIME>2026-01-15T12:00:00Z</DATETIME>
    <VULN_LIST>
      <VULN>
        <QID>38170</QID>
        <VULN_TYPE>Vulnerability</VULN_TYPE>
        <SEVERITY_LEVEL>2</SEVERITY_LEVEL>
        <TITLE><![CDATA[SSL Certificate - Subject Common Name Does Not Match Server FQDN]]></TITLE>
        <CATEGORY>General remote services</CATEGORY>
        <LAST_SERVICE_MODIFICATION_DATETIME>2025-01-01T00:00:00Z</LAST_SERVICE_MODIFICATION_DATETIME>
        <PUBLISHED_DATETIME>2010-01-01T00:00:00Z</PUBLISHED_DATETIME>
        <PATCHABLE>0</PATCHABLE>
        <CVE_LIST>
          <CVE><ID><![CDATA[CVE-2024-0001]]></ID><URL><![CDATA[https://nvd.nist.gov/vuln/detail/CVE-2024-0001]]></URL></CVE>
          <CVE><ID><![CDATA[]]></ID></CVE>
        </CVE_LIST>
        <DIAGNOSIS><![CDATA[The <b>certificate</b> does not match.]]></DIAGNOSIS>
        <CONSEQUENCE>Man in the middle &amp; more.</CONSEQUENCE>
        <SOLUTION><![CDATA[Replace the certificate.]]></SOLUTION>
        <CVSS>
          <BASE source="service">5.0</BASE>
          <TEMPORAL>3.7</TEMPORAL>
          <VECTOR_STRING>CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:N/A:N</VECTOR_STRING>
        </CVSS>
        <CVSS_V3>
          <BASE>7.5</BASE>
          <TEMPORAL>6.5</TEMPORAL>
          <VECTOR_STRING>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N</VECTOR_STRING>
        </CVSS_V3>
        <THREAT_INTELLIGENCE>
          <THREAT_INTEL id="2"><![CDATA[Exploit_Public]]></THREAT_INTEL>
        </THREAT_INTELLIGENCE>
        <DISCOVERY><REMOTE>1</REMOTE></DISCOVERY>
        <IS_DISABLED>0</IS_DISABLED>
      </VULN>
      <VULN><QID>6</QID><VULN_TYPE>Information Gathered</VULN_TYPE><SEVERITY_LEVEL>1</SEVERITY_LEVEL><TITLE>DNS Host Name</TITLE></VULN>
    </VULN_LIST>
  </RESPONSE>
</KNOWLEDGE_BASE_VULN_LIST_OUTPUT>
`

const simpleReturnDoc = `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE SIMPLE_RETURN SYSTEM "https://qualysapi.qualys.com/api/2.0/simple_return.dtd">
<SIMPLE_RETURN>
  <RESPONSE>
    <DATETIME>2026-01-15T12:00:00Z</DATETIME>
    <CODE>1965</CODE>
    <TEXT>This API cannot be run again for another 23 hours, 57 minutes and 54 seconds.</TEXT>
    <ITEM_LIST>
      <ITEM>
        <KEY>SECONDS_TO_WAIT</KEY>
        <VALUE>86274</VALUE>
      </ITEM>
    </ITEM_LIST>
  </RESPONSE>
</SIMPLE_RETURN>
`

const postureXMLDoc = `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE POSTURE_INFO_LIST_OUTPUT SYSTEM "https://qualysapi.qualys.com/api/2.0/fo/compliance/posture/info/posture_info_list_output.dtd">
<POSTURE_INFO_LIST_OUTPUT>
  <RESPONSE>
    <DATETIME>2026-01-15T12:00:00Z</DATETIME>
    <INFO_LIST>
      <INFO>
        <ID>900001</ID>
        <HOST_ID>201</HOST_ID>
        <CONTROL_ID>1071</CONTROL_ID>
        <POLICY_ID>55</POLICY_ID>
        <TECHNOLOGY_ID>45</TECHNOLOGY_ID>
        <INSTANCE><![CDATA[os]]></INSTANCE>
        <STATUS>Failed</STATUS>
        <PREVIOUS_STATUS>Passed</PREVIOUS_STATUS>
        <FIRST_FAIL_DATE>2026-01-10T00:00:00Z</FIRST_FAIL_DATE>
        <LAST_FAIL_DATE>2026-01-14T00:00:00Z</LAST_FAIL_DATE>
        <LAST_PASS_DATE>2026-01-09T00:00:00Z</LAST_PASS_DATE>
        <POSTURE_MODIFIED_DATE>2026-01-10T00:00:00Z</POSTURE_MODIFIED_DATE>
        <EVIDENCE>
          <EXPECTED><V><![CDATA[enabled]]></V></EXPECTED>
          <CURRENT><V><![CDATA[disabled]]></V><V>unknown</V></CURRENT>
        </EVIDENCE>
        <CAUSE_OF_FAILURE><UNEXPECTED><V>disabled</V></UNEXPECTED></CAUSE_OF_FAILURE>
      </INFO>
      <INFO>
        <ID>900002</ID><HOST_ID>202</HOST_ID><CONTROL_ID>1072</CONTROL_ID><TECHNOLOGY_ID>45</TECHNOLOGY_ID>
        <INSTANCE>os</INSTANCE><STATUS>Passed</STATUS>
      </INFO>
    </INFO_LIST>
    <GLOSSARY>
      <USER_LIST><USER><USER_LOGIN>u</USER_LOGIN></USER></USER_LIST>
      <HOST_LIST>
        <HOST><ID>201</ID><IP>10.1.0.1</IP><TRACKING_METHOD>IP</TRACKING_METHOD><DNS><![CDATA[web-1]]></DNS><OS><![CDATA[Ubuntu]]></OS></HOST>
      </HOST_LIST>
      <CONTROL_LIST>
        <CONTROL><ID>1071</ID><STATEMENT><![CDATA[Status of the firewall]]></STATEMENT><CRITICALITY><LABEL>SERIOUS</LABEL><VALUE>3</VALUE></CRITICALITY></CONTROL>
      </CONTROL_LIST>
      <TECHNOLOGY_LIST>
        <TECHNOLOGY><ID>45</ID><NAME><![CDATA[Ubuntu 22.x]]></NAME></TECHNOLOGY>
      </TECHNOLOGY_LIST>
      <POLICY_LIST><POLICY><ID>55</ID><TITLE><![CDATA[CIS Ubuntu]]></TITLE></POLICY></POLICY_LIST>
    </GLOSSARY>
    <WARNING>
      <CODE>1980</CODE>
      <TEXT>5000 record limit exceeded. Use URL to get next batch of results.</TEXT>
      <URL><![CDATA[https://qualysapi.qualys.com/api/2.0/fo/compliance/posture/info/?action=list&policy_id=55&id_min=203]]></URL>
    </WARNING>
  </RESPONSE>
</POSTURE_INFO_LIST_OUTPUT>
`

const pcrsPolicyDoc = `{"subscriptionId": 12345,
 "policyList": [
  {"id": 55, "title": "CIS Ubuntu", "createdBy": "admin", "createdDate": "2024-01-02T03:04:05Z",
   "modifiedBy": "admin", "modifiedDate": "2024-02-02T03:04:05.123Z", "lastEvaluatedDate": "2026-01-14T00:00:00Z",
   "status": "active", "locked": 1, "extra": {"ignored": [1, 2]}},
  {"id": "56", "title": "Windows", "locked": false, "status": "inactive"}
 ]
}
`

const pcrsHostIDDoc = `[
 {"policyId": "55", "subscriptionId": "12345", "hostIds": ["201", 202, "203"]},
 {"policyId": 57, "subscriptionId": "12345", "hostIds": [], "error": "Error: Compliance Policy does not exist."}
]
`

const pcrsPostureDoc = `[
 {"id": 900001, "instance": "os", "policyId": 55, "policyTitle": "CIS Ubuntu", "netBios": null,
  "controlId": 1071, "controlStatement": "Status of the firewall", "rationale": "Because.",
  "remediation": "Enable it.", "technologyId": 45, "technology": {"id": 45, "name": "Ubuntu 22.x"},
  "status": "Failed", "previousStatus": "Passed", "criticality": {"label": "SERIOUS", "value": 3},
  "firstFailDate": "2026-01-10T00:00:00Z", "lastFailDate": "2026-01-14T00:00:00.500Z",
  "postureModifiedDate": "2026-01-10T00:00:00Z", "lastEvaluatedDate": "2026-01-14T00:00:00Z",
  "created": "2025-06-01T00:00:00Z", "hostId": "201", "ip": "10.1.0.1", "trackingMethod": "IP",
  "os": "Ubuntu", "osCpe": "cpe:/o:canonical:ubuntu_linux:22.04", "dns": "web-1", "qgHostid": "abcd",
  "networkId": 0, "networkName": "Global Default Network", "complianceLastScanDate": "2026-01-14T00:00:00Z",
  "assetId": 9201, "customerUuid": "u-1", "customerId": 7,
  "evidence": {"expectedValues": ["enabled"], "currentValues": ["disabled"]},
  "causeOfFailure": {"unexpected": ["disabled"]}, "somethingNew": {"a": 1}},
 {"id": "900002", "policyId": "55", "controlId": "1072", "hostId": 202, "status": "Passed"}
]
`
