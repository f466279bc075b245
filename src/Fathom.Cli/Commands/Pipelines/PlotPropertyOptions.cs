using System.CommandLine;
using Fathom.Pipelines;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary>DVC's plot properties on the command line of <c>plots show|diff</c>: <c>-t -x -y --title --x-label --y-label</c>.</summary>
internal sealed class PlotPropertyOptions
{
    private readonly Option<string> _template = new("--template", "-t") { Description = $"Draw every plot with this template ({string.Join(", ", PlotDefinition.Templates)})." };
    private readonly Option<string> _x = new("-x") { Description = "Field for the x axis (bar_horizontal: the bar length; confusion: the actual class)." };
    private readonly Option<string> _y = new("-y") { Description = "Field for the y axis (bar_horizontal: the bar label; confusion: the predicted class)." };
    private readonly Option<string> _title = new("--title") { Description = "Plot title." };
    private readonly Option<string> _xLabel = new("--x-label") { Description = "X axis label." };
    private readonly Option<string> _yLabel = new("--y-label") { Description = "Y axis label." };

    public PlotPropertyOptions(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new[] { _template, _x, _y, _title, _xLabel, _yLabel })
        {
            command.Options.Add(option);
        }
    }

    public PlotOverrides Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new(parse.GetValue(_template), parse.GetValue(_x), parse.GetValue(_y), parse.GetValue(_title), parse.GetValue(_xLabel), parse.GetValue(_yLabel));
    }
}
