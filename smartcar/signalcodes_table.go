// The signal catalogue (docs/evidence.md, Smartcar §6.3), one line per code.

package smartcar

// The signal groups ([C] smartcar.com/docs/api-reference/signals/schema).
const (
	GroupCharge                   SignalGroup = "Charge"
	GroupClimate                  SignalGroup = "Climate"
	GroupClosure                  SignalGroup = "Closure"
	GroupConnectivitySoftware     SignalGroup = "ConnectivitySoftware"
	GroupConnectivityStatus       SignalGroup = "ConnectivityStatus"
	GroupDiagnostics              SignalGroup = "Diagnostics"
	GroupHVAC                     SignalGroup = "HVAC"
	GroupInternalCombustionEngine SignalGroup = "InternalCombustionEngine"
	GroupLocation                 SignalGroup = "Location"
	GroupLowVoltageBattery        SignalGroup = "LowVoltageBattery"
	GroupMotion                   SignalGroup = "Motion"
	GroupOdometer                 SignalGroup = "Odometer"
	GroupService                  SignalGroup = "Service"
	GroupSurveillance             SignalGroup = "Surveillance"
	GroupTractionBattery          SignalGroup = "TractionBattery"
	GroupTransmission             SignalGroup = "Transmission"
	GroupVehicleIdentification    SignalGroup = "VehicleIdentification"
	GroupVehicleUserAccount       SignalGroup = "VehicleUserAccount"
	GroupWheel                    SignalGroup = "Wheel"
)

// The 93 signal codes of the v3 catalogue ([T] third-party extraction of the spec, 2026-09).
const (
	SignalChargeAmperage                             SignalCode = "charge-amperage"
	SignalChargeAmperageMax                          SignalCode = "charge-amperagemax"
	SignalChargeAmperageRequested                    SignalCode = "charge-amperagerequested"
	SignalChargeChargeLimits                         SignalCode = "charge-chargelimits"
	SignalChargeChargePortStatusColor                SignalCode = "charge-chargeportstatuscolor"
	SignalChargeChargeRate                           SignalCode = "charge-chargerate"
	SignalChargeChargeRecords                        SignalCode = "charge-chargerecords"
	SignalChargeChargerPhases                        SignalCode = "charge-chargerphases"
	SignalChargeChargeTimers                         SignalCode = "charge-chargetimers"
	SignalChargeChargingConnectorType                SignalCode = "charge-chargingconnectortype"
	SignalChargeDetailedChargingStatus               SignalCode = "charge-detailedchargingstatus"
	SignalChargeEnergyAdded                          SignalCode = "charge-energyadded"
	SignalChargeFastChargerType                      SignalCode = "charge-fastchargertype"
	SignalChargeIsCharging                           SignalCode = "charge-ischarging"
	SignalChargeIsChargingCableConnected             SignalCode = "charge-ischargingcableconnected"
	SignalChargeIsChargingCableLatched               SignalCode = "charge-ischargingcablelatched"
	SignalChargeIsChargingPortFlapOpen               SignalCode = "charge-ischargingportflapopen"
	SignalChargeIsFastChargerPresent                 SignalCode = "charge-isfastchargerpresent"
	SignalChargeTimeToComplete                       SignalCode = "charge-timetocomplete"
	SignalChargeVoltage                              SignalCode = "charge-voltage"
	SignalChargeWattage                              SignalCode = "charge-wattage"
	SignalClimateExternalTemperature                 SignalCode = "climate-externaltemperature"
	SignalClimateInternalTemperature                 SignalCode = "climate-internaltemperature"
	SignalClosureDoors                               SignalCode = "closure-doors"
	SignalClosureEngineCover                         SignalCode = "closure-enginecover"
	SignalClosureFrontTrunk                          SignalCode = "closure-fronttrunk"
	SignalClosureIsLocked                            SignalCode = "closure-islocked"
	SignalClosureRearTrunk                           SignalCode = "closure-reartrunk"
	SignalClosureSunroof                             SignalCode = "closure-sunroof"
	SignalClosureTailgate                            SignalCode = "closure-tailgate"
	SignalClosureWindows                             SignalCode = "closure-windows"
	SignalConnectivitySoftwareCurrentFirmwareVersion SignalCode = "connectivitysoftware-currentfirmwareversion"
	SignalConnectivityStatusIsAsleep                 SignalCode = "connectivitystatus-isasleep"
	SignalConnectivityStatusIsDigitalKeyPaired       SignalCode = "connectivitystatus-isdigitalkeypaired"
	SignalConnectivityStatusIsOnline                 SignalCode = "connectivitystatus-isonline"
	SignalDiagnosticsABS                             SignalCode = "diagnostics-abs"
	SignalDiagnosticsActiveSafety                    SignalCode = "diagnostics-activesafety"
	SignalDiagnosticsAirbag                          SignalCode = "diagnostics-airbag"
	SignalDiagnosticsBrakeFluid                      SignalCode = "diagnostics-brakefluid"
	SignalDiagnosticsDriverAssistance                SignalCode = "diagnostics-driverassistance"
	SignalDiagnosticsDTCCount                        SignalCode = "diagnostics-dtccount"
	SignalDiagnosticsDTCList                         SignalCode = "diagnostics-dtclist"
	SignalDiagnosticsEmissions                       SignalCode = "diagnostics-emissions"
	SignalDiagnosticsEVBatteryConditioning           SignalCode = "diagnostics-evbatteryconditioning"
	SignalDiagnosticsEVCharging                      SignalCode = "diagnostics-evcharging"
	SignalDiagnosticsEVDriveUnit                     SignalCode = "diagnostics-evdriveunit"
	SignalDiagnosticsEVHVBattery                     SignalCode = "diagnostics-evhvbattery"
	SignalDiagnosticsLighting                        SignalCode = "diagnostics-lighting"
	SignalDiagnosticsMIL                             SignalCode = "diagnostics-mil"
	SignalDiagnosticsOilLife                         SignalCode = "diagnostics-oillife"
	SignalDiagnosticsOilPressure                     SignalCode = "diagnostics-oilpressure"
	SignalDiagnosticsOilTemperature                  SignalCode = "diagnostics-oiltemperature"
	SignalDiagnosticsTelematics                      SignalCode = "diagnostics-telematics"
	SignalDiagnosticsTirePressure                    SignalCode = "diagnostics-tirepressure"
	SignalDiagnosticsTirePressureMonitoring          SignalCode = "diagnostics-tirepressuremonitoring"
	SignalDiagnosticsTransmission                    SignalCode = "diagnostics-transmission"
	SignalDiagnosticsWasherFluid                     SignalCode = "diagnostics-washerfluid"
	SignalDiagnosticsWaterInFuel                     SignalCode = "diagnostics-waterinfuel"
	SignalHVACCabinTargetTemperature                 SignalCode = "hvac-cabintargettemperature"
	SignalHVACIsCabinHVACActive                      SignalCode = "hvac-iscabinhvacactive"
	SignalHVACIsFrontDefrosterActive                 SignalCode = "hvac-isfrontdefrosteractive"
	SignalHVACIsRearDefrosterActive                  SignalCode = "hvac-isreardefrosteractive"
	SignalHVACIsSteeringHeaterActive                 SignalCode = "hvac-issteeringheateractive"
	SignalInternalCombustionEngineAmountRemaining    SignalCode = "internalcombustionengine-amountremaining"
	SignalInternalCombustionEngineFuelLevel          SignalCode = "internalcombustionengine-fuellevel"
	SignalInternalCombustionEngineOilLife            SignalCode = "internalcombustionengine-oillife"
	SignalInternalCombustionEngineRange              SignalCode = "internalcombustionengine-range"
	SignalLocationIsAtHome                           SignalCode = "location-isathome"
	SignalLocationPreciseLocation                    SignalCode = "location-preciselocation"
	SignalLowVoltageBatteryStateOfCharge             SignalCode = "lowvoltagebattery-stateofcharge"
	SignalLowVoltageBatteryStatus                    SignalCode = "lowvoltagebattery-status"
	SignalMotionCurrentSpeed                         SignalCode = "motion-currentspeed"
	SignalOdometerTraveledDistance                   SignalCode = "odometer-traveleddistance"
	SignalServiceIsInService                         SignalCode = "service-isinservice"
	SignalServiceRecords                             SignalCode = "service-records"
	SignalSurveillanceBrand                          SignalCode = "surveillance-brand"
	SignalSurveillanceIsEnabled                      SignalCode = "surveillance-isenabled"
	SignalTractionBatteryIsHeaterActive              SignalCode = "tractionbattery-isheateractive"
	SignalTractionBatteryMaxRangeChargeCounter       SignalCode = "tractionbattery-maxrangechargecounter"
	SignalTractionBatteryNominalCapacity             SignalCode = "tractionbattery-nominalcapacity"
	SignalTractionBatteryRange                       SignalCode = "tractionbattery-range"
	SignalTractionBatteryStateOfCharge               SignalCode = "tractionbattery-stateofcharge"
	SignalTransmissionDriveMode                      SignalCode = "transmission-drivemode"
	SignalTransmissionGearState                      SignalCode = "transmission-gearstate"
	SignalVehicleIdentificationExteriorColor         SignalCode = "vehicleidentification-exteriorcolor"
	SignalVehicleIdentificationNickname              SignalCode = "vehicleidentification-nickname"
	SignalVehicleIdentificationPackages              SignalCode = "vehicleidentification-packages"
	SignalVehicleIdentificationTrim                  SignalCode = "vehicleidentification-trim"
	SignalVehicleIdentificationVIN                   SignalCode = "vehicleidentification-vin"
	SignalVehicleUserAccountPermissions              SignalCode = "vehicleuseraccount-permissions"
	SignalVehicleUserAccountRole                     SignalCode = "vehicleuseraccount-role"
	SignalWheelStyle                                 SignalCode = "wheel-style"
	SignalWheelTires                                 SignalCode = "wheel-tires"
)

// Codes the compatibility matrix lists besides the catalogue ([T]).
const (
	SignalTractionBatteryEstimatedRange SignalCode = "tractionbattery-estimatedrange"
	SignalTractionBatteryIdealRange     SignalCode = "tractionbattery-idealrange"
	SignalTractionBatteryRatedRange     SignalCode = "tractionbattery-ratedrange"
)

// catalogue maps every known code to its group and name, in catalogue order.
var catalogue = []signalInfo{
	{SignalChargeAmperage, GroupCharge, "Amperage"},
	{SignalChargeAmperageMax, GroupCharge, "AmperageMax"},
	{SignalChargeAmperageRequested, GroupCharge, "AmperageRequested"},
	{SignalChargeChargeLimits, GroupCharge, "ChargeLimits"},
	{SignalChargeChargePortStatusColor, GroupCharge, "ChargePortStatusColor"},
	{SignalChargeChargeRate, GroupCharge, "ChargeRate"},
	{SignalChargeChargeRecords, GroupCharge, "ChargeRecords"},
	{SignalChargeChargerPhases, GroupCharge, "ChargerPhases"},
	{SignalChargeChargeTimers, GroupCharge, "ChargeTimers"},
	{SignalChargeChargingConnectorType, GroupCharge, "ChargingConnectorType"},
	{SignalChargeDetailedChargingStatus, GroupCharge, "DetailedChargingStatus"},
	{SignalChargeEnergyAdded, GroupCharge, "EnergyAdded"},
	{SignalChargeFastChargerType, GroupCharge, "FastChargerType"},
	{SignalChargeIsCharging, GroupCharge, "IsCharging"},
	{SignalChargeIsChargingCableConnected, GroupCharge, "IsChargingCableConnected"},
	{SignalChargeIsChargingCableLatched, GroupCharge, "IsChargingCableLatched"},
	{SignalChargeIsChargingPortFlapOpen, GroupCharge, "IsChargingPortFlapOpen"},
	{SignalChargeIsFastChargerPresent, GroupCharge, "IsFastChargerPresent"},
	{SignalChargeTimeToComplete, GroupCharge, "TimeToComplete"},
	{SignalChargeVoltage, GroupCharge, "Voltage"},
	{SignalChargeWattage, GroupCharge, "Wattage"},
	{SignalClimateExternalTemperature, GroupClimate, "ExternalTemperature"},
	{SignalClimateInternalTemperature, GroupClimate, "InternalTemperature"},
	{SignalClosureDoors, GroupClosure, "Doors"},
	{SignalClosureEngineCover, GroupClosure, "EngineCover"},
	{SignalClosureFrontTrunk, GroupClosure, "FrontTrunk"},
	{SignalClosureIsLocked, GroupClosure, "IsLocked"},
	{SignalClosureRearTrunk, GroupClosure, "RearTrunk"},
	{SignalClosureSunroof, GroupClosure, "Sunroof"},
	{SignalClosureTailgate, GroupClosure, "Tailgate"},
	{SignalClosureWindows, GroupClosure, "Windows"},
	{SignalConnectivitySoftwareCurrentFirmwareVersion, GroupConnectivitySoftware, "CurrentFirmwareVersion"},
	{SignalConnectivityStatusIsAsleep, GroupConnectivityStatus, "IsAsleep"},
	{SignalConnectivityStatusIsDigitalKeyPaired, GroupConnectivityStatus, "IsDigitalKeyPaired"},
	{SignalConnectivityStatusIsOnline, GroupConnectivityStatus, "IsOnline"},
	{SignalDiagnosticsABS, GroupDiagnostics, "ABS"},
	{SignalDiagnosticsActiveSafety, GroupDiagnostics, "ActiveSafety"},
	{SignalDiagnosticsAirbag, GroupDiagnostics, "Airbag"},
	{SignalDiagnosticsBrakeFluid, GroupDiagnostics, "BrakeFluid"},
	{SignalDiagnosticsDriverAssistance, GroupDiagnostics, "DriverAssistance"},
	{SignalDiagnosticsDTCCount, GroupDiagnostics, "DTCCount"},
	{SignalDiagnosticsDTCList, GroupDiagnostics, "DTCList"},
	{SignalDiagnosticsEmissions, GroupDiagnostics, "Emissions"},
	{SignalDiagnosticsEVBatteryConditioning, GroupDiagnostics, "EVBatteryConditioning"},
	{SignalDiagnosticsEVCharging, GroupDiagnostics, "EVCharging"},
	{SignalDiagnosticsEVDriveUnit, GroupDiagnostics, "EVDriveUnit"},
	{SignalDiagnosticsEVHVBattery, GroupDiagnostics, "EVHVBattery"},
	{SignalDiagnosticsLighting, GroupDiagnostics, "Lighting"},
	{SignalDiagnosticsMIL, GroupDiagnostics, "MIL"},
	{SignalDiagnosticsOilLife, GroupDiagnostics, "OilLife"},
	{SignalDiagnosticsOilPressure, GroupDiagnostics, "OilPressure"},
	{SignalDiagnosticsOilTemperature, GroupDiagnostics, "OilTemperature"},
	{SignalDiagnosticsTelematics, GroupDiagnostics, "Telematics"},
	{SignalDiagnosticsTirePressure, GroupDiagnostics, "TirePressure"},
	{SignalDiagnosticsTirePressureMonitoring, GroupDiagnostics, "TirePressureMonitoring"},
	{SignalDiagnosticsTransmission, GroupDiagnostics, "Transmission"},
	{SignalDiagnosticsWasherFluid, GroupDiagnostics, "WasherFluid"},
	{SignalDiagnosticsWaterInFuel, GroupDiagnostics, "WaterInFuel"},
	{SignalHVACCabinTargetTemperature, GroupHVAC, "CabinTargetTemperature"},
	{SignalHVACIsCabinHVACActive, GroupHVAC, "IsCabinHVACActive"},
	{SignalHVACIsFrontDefrosterActive, GroupHVAC, "IsFrontDefrosterActive"},
	{SignalHVACIsRearDefrosterActive, GroupHVAC, "IsRearDefrosterActive"},
	{SignalHVACIsSteeringHeaterActive, GroupHVAC, "IsSteeringHeaterActive"},
	{SignalInternalCombustionEngineAmountRemaining, GroupInternalCombustionEngine, "AmountRemaining"},
	{SignalInternalCombustionEngineFuelLevel, GroupInternalCombustionEngine, "FuelLevel"},
	{SignalInternalCombustionEngineOilLife, GroupInternalCombustionEngine, "OilLife"},
	{SignalInternalCombustionEngineRange, GroupInternalCombustionEngine, "Range"},
	{SignalLocationIsAtHome, GroupLocation, "IsAtHome"},
	{SignalLocationPreciseLocation, GroupLocation, "PreciseLocation"},
	{SignalLowVoltageBatteryStateOfCharge, GroupLowVoltageBattery, "StateOfCharge"},
	{SignalLowVoltageBatteryStatus, GroupLowVoltageBattery, "Status"},
	{SignalMotionCurrentSpeed, GroupMotion, "CurrentSpeed"},
	{SignalOdometerTraveledDistance, GroupOdometer, "TraveledDistance"},
	{SignalServiceIsInService, GroupService, "IsInService"},
	{SignalServiceRecords, GroupService, "Records"},
	{SignalSurveillanceBrand, GroupSurveillance, "Brand"},
	{SignalSurveillanceIsEnabled, GroupSurveillance, "IsEnabled"},
	{SignalTractionBatteryIsHeaterActive, GroupTractionBattery, "IsHeaterActive"},
	{SignalTractionBatteryMaxRangeChargeCounter, GroupTractionBattery, "MaxRangeChargeCounter"},
	{SignalTractionBatteryNominalCapacity, GroupTractionBattery, "NominalCapacity"},
	{SignalTractionBatteryRange, GroupTractionBattery, "Range"},
	{SignalTractionBatteryStateOfCharge, GroupTractionBattery, "StateOfCharge"},
	{SignalTransmissionDriveMode, GroupTransmission, "DriveMode"},
	{SignalTransmissionGearState, GroupTransmission, "GearState"},
	{SignalVehicleIdentificationExteriorColor, GroupVehicleIdentification, "ExteriorColor"},
	{SignalVehicleIdentificationNickname, GroupVehicleIdentification, "Nickname"},
	{SignalVehicleIdentificationPackages, GroupVehicleIdentification, "Packages"},
	{SignalVehicleIdentificationTrim, GroupVehicleIdentification, "Trim"},
	{SignalVehicleIdentificationVIN, GroupVehicleIdentification, "VIN"},
	{SignalVehicleUserAccountPermissions, GroupVehicleUserAccount, "Permissions"},
	{SignalVehicleUserAccountRole, GroupVehicleUserAccount, "Role"},
	{SignalWheelStyle, GroupWheel, "Style"},
	{SignalWheelTires, GroupWheel, "Tires"},
	{SignalTractionBatteryEstimatedRange, GroupTractionBattery, "EstimatedRange"},
	{SignalTractionBatteryIdealRange, GroupTractionBattery, "IdealRange"},
	{SignalTractionBatteryRatedRange, GroupTractionBattery, "RatedRange"},
}
